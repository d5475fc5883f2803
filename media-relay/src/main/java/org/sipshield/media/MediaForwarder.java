package org.sipshield.media;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

/** The handler of one relay socket: hands every datagram to its leg, flushes the far leg after each read batch. */
final class MediaForwarder extends ChannelInboundHandlerAdapter {
    private final RelayLeg leg;
    private final RelayLeg far;
    private final boolean rtcpPort;

    MediaForwarder(RelayLeg leg, RelayLeg far, boolean rtcpPort) {
        this.leg = leg;
        this.far = far;
        this.rtcpPort = rtcpPort;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket packet) {
            leg.receive(packet, rtcpPort);
        } else {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        far.flushPending();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP port unreachable and the like: a peer gone away is the media timeout's business
        RelaySession.LOG.debug("{}: {}", leg, cause.toString());
    }
}
