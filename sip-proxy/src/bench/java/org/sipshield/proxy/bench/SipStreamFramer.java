package org.sipshield.proxy.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Cuts a SIP byte stream (TCP/TLS) into whole messages (RFC 3261 18.3: the header block ends at
 * an empty line, Content-Length gives the body), each passed on as a byte[] for jain-sip's parser.
 * CRLF keep-alives between messages (RFC 5626) are skipped.
 */
final class SipStreamFramer extends ByteToMessageDecoder {
    private static final int MAX_MESSAGE = 64 * 1024;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            byte first = in.getByte(in.readerIndex());
            if (first == '\r' || first == '\n') {
                in.skipBytes(1);
                continue;
            }
            int headerEnd = endOfHeaders(in);
            if (headerEnd < 0) {
                if (in.readableBytes() > MAX_MESSAGE) {
                    throw new TooLongFrameException("SIP header block over " + MAX_MESSAGE + " bytes");
                }
                return;
            }
            int headerLength = headerEnd - in.readerIndex();
            int total = headerLength + contentLength(in.toString(in.readerIndex(), headerLength, StandardCharsets.ISO_8859_1));
            if (total > MAX_MESSAGE) {
                throw new TooLongFrameException("SIP message of " + total + " bytes");
            }
            if (in.readableBytes() < total) {
                return;
            }
            byte[] message = new byte[total];
            in.readBytes(message);
            out.add(message);
        }
    }

    /** The index just past the CRLF CRLF that ends the header block, or -1 if it has not arrived. */
    private static int endOfHeaders(ByteBuf in) {
        for (int i = in.readerIndex(); i + 3 < in.writerIndex(); i++) {
            if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r' && in.getByte(i + 3) == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /** Content-Length (or its compact form l); a stream without one cannot be framed. */
    private static int contentLength(String headers) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                if (name.equals("content-length") || name.equals("l")) {
                    return Integer.parseInt(line.substring(colon + 1).trim());
                }
            }
        }
        throw new IllegalStateException("a SIP message over TLS without Content-Length");
    }
}
