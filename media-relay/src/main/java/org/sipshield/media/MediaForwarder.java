package org.sipshield.media;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

/** The handler of one relay socket: hands every datagram to its leg (whose loop's {@link PacketBurst} forwards it). */
final class MediaForwarder extends ChannelInboundHandlerAdapter {
    private final RelayLeg leg;
    private final boolean rtcpPort;

    MediaForwarder(RelayLeg leg, boolean rtcpPort) {
        this.leg = leg;
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
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP port unreachable and the like: a peer gone away is the media timeout's business
        RelaySession.LOG.debug("{}: {}", leg, cause.toString());
    }
}
