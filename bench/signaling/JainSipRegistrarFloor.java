import java.util.Properties;
import java.util.TooManyListenersException;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.ContactHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The jain-sip floor of bench/signaling.sh (a benchmark peer, never product code): jain-sip alone doing the
 * registrar's protocol work and nothing else. A REGISTER without credentials gets 401 with a digest
 * challenge, one with credentials gets 200 echoing its Contact; nothing is verified or stored. It runs on
 * the same jain-sip release and stack settings as sipshield (a stateful server transaction per request,
 * 16 threads, re-entrant listener), without sipshield's screening parser, pipeline, digest check or
 * registrar, so its highest zero-failure REGISTER rate is the most sipshield could reach on jain-sip.
 *
 * <pre>java -cp sip-proxy/target/sipshield.jar bench/signaling/JainSipRegistrarFloor.java ADDRESS PORT [stateless] [udp-buffer=BYTES]</pre>
 * "stateless" answers without a server transaction (a retransmission is answered again); udp-buffer sets
 * jain-sip's RECEIVE/SEND_UDP_BUFFER_SIZE (its default: 64 KB).
 */
public final class JainSipRegistrarFloor implements SipListener {
    private final SipProvider provider;
    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final boolean stateless;

    private JainSipRegistrarFloor(SipProvider provider, MessageFactory messages, HeaderFactory headers, boolean stateless) {
        this.provider = provider;
        this.messages = messages;
        this.headers = headers;
        this.stateless = stateless;
    }

    public static void main(String[] args) throws Exception {
        String address = args[0];
        int port = Integer.parseInt(args[1]);
        boolean stateless = java.util.Arrays.asList(args).contains("stateless");
        String udpBuffer = java.util.Arrays.stream(args).filter(a -> a.startsWith("udp-buffer="))
                .map(a -> a.substring("udp-buffer=".length())).findFirst().orElse(null);
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        Properties properties = new Properties();
        properties.setProperty("javax.sip.STACK_NAME", "jain-sip-floor");
        properties.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        properties.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        // sipshield's log bridge (jain-sip's default logger needs log4j, which sipshield's jar leaves out)
        properties.setProperty("gov.nist.javax.sip.STACK_LOGGER", "org.sipshield.proxy.transport.JainSipLogger");
        properties.setProperty("gov.nist.javax.sip.SERVER_LOGGER", "org.sipshield.proxy.transport.JainSipMessageLogger");
        properties.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        properties.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "16");
        properties.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
        if (udpBuffer != null) {
            properties.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", udpBuffer);
            properties.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", udpBuffer);
        }
        SipStack stack = factory.createSipStack(properties);
        SipProvider provider = null;
        for (String transport : new String[] {"udp", "tcp"}) {
            ListeningPoint point = stack.createListeningPoint(address, port, transport);
            if (provider == null) {
                provider = stack.createSipProvider(point);
            } else {
                provider.addListeningPoint(point);
            }
        }
        JainSipRegistrarFloor floor = new JainSipRegistrarFloor(provider, factory.createMessageFactory(),
                factory.createHeaderFactory(), stateless);
        try {
            provider.addSipListener(floor);
        } catch (TooManyListenersException e) {
            throw new IllegalStateException(e);
        }
        stack.start();
        System.out.println("jain-sip floor ready on " + address + ":" + port + (stateless ? " (stateless)" : ""));
        Thread.currentThread().join();
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        try {
            Response response;
            if (!Request.REGISTER.equals(request.getMethod())) {
                response = messages.createResponse(Response.METHOD_NOT_ALLOWED, request);
            } else if (request.getHeader("Authorization") == null) {
                response = messages.createResponse(Response.UNAUTHORIZED, request);
                response.addHeader(headers.createWWWAuthenticateHeader(
                        "Digest realm=\"sigbench.invalid\", nonce=\"floor" + System.nanoTime() + "\", qop=\"auth\", algorithm=MD5"));
            } else {
                response = messages.createResponse(Response.OK, request);
                ContactHeader contact = (ContactHeader) request.getHeader(ContactHeader.NAME);
                if (contact != null) {
                    response.addHeader(contact);
                }
                response.addHeader(headers.createExpiresHeader(3600));
            }
            ((javax.sip.header.ToHeader) response.getHeader("To")).setTag("floor");
            if (stateless) {
                provider.sendResponse(response);
            } else {
                ServerTransaction transaction = event.getServerTransaction();
                if (transaction == null) {
                    transaction = provider.getNewServerTransaction(request);
                }
                transaction.sendResponse(response);
            }
        } catch (Exception e) {
            // a retransmission racing its own transaction: the transaction layer answers it
        }
    }

    @Override public void processResponse(ResponseEvent event) {}
    @Override public void processTimeout(TimeoutEvent event) {}
    @Override public void processIOException(IOExceptionEvent event) {}
    @Override public void processTransactionTerminated(TransactionTerminatedEvent event) {}
    @Override public void processDialogTerminated(DialogTerminatedEvent event) {}
}
