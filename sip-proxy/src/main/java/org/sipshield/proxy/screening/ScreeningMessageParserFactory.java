package org.sipshield.proxy.screening;

import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.StringMsgParserFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/** Named in the stack property gov.nist.javax.sip.MESSAGE_PARSER_FACTORY: jain-sip's parser behind our screening. */
public final class ScreeningMessageParserFactory implements MessageParserFactory {
    private final StringMsgParserFactory jainSip = new StringMsgParserFactory();

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        return new ScreeningMessageParser(jainSip.createMessageParser(stack));
    }
}
