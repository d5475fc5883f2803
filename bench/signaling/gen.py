#!/usr/bin/env python3
"""bench/signaling.sh's fixtures: N phones with digest, as sipshield's YAML, as Kamailio's htable
(db_text file of HA1s) and as sipp's -inf file; and a pcap of G.711 RTP for sipp to play.
TLS phones apart (a phone has one security profile): numbers 200000.., profile "bench tls phones".
Usage: gen.py WORKDIR USERS HOLD_SECONDS TLS_USERS   (password "pw<number>", realm ccmsipline)"""
import hashlib, os, struct, sys

work, users, hold, tls_users = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
realm = "ccmsipline"
first = 100000
numbers = [str(first + i) for i in range(users)]
tls_numbers = [str(200000 + i) for i in range(tls_users)]

def ha1(algo, user, password):
    return hashlib.new(algo, f"{user}:{realm}:{password}".encode()).hexdigest()

def sha512_256(user, password):
    return hashlib.new("sha512_256", f"{user}:{realm}:{password}".encode()).hexdigest()

os.makedirs(os.path.join(work, "kamailio-db"), exist_ok=True)
for name, group in (("users.csv", numbers), ("users-tls.csv", tls_numbers)):
    with open(os.path.join(work, name), "w") as f:
        f.write("SEQUENTIAL\n")
        for n in group:
            f.write(f"{n};pw{n};[authentication username={n} password=pw{n}]\n")
with open(os.path.join(work, "kamailio-db", "ha1"), "w") as f:
    f.write("id(int,auto) key_name(string) key_type(int) value_type(int) key_value(string) expires(int)\n")
    for i, n in enumerate(numbers + tls_numbers, 1):
        f.write(f"{i}:{n}:0:0:{ha1('md5', n, 'pw' + n)}:0\n")
with open(os.path.join(work, "kamailio-db", "version"), "w") as f:
    f.write("table_name(string) table_version(int)\nha1:2\n")
with open(os.path.join(work, "sipshield-users.yaml"), "w") as f:
    f.write("endUsers:\n")
    for n in numbers + tls_numbers:
        f.write(f"  - {{userId: \"{n}\", digestCredentials: {{MD5: {ha1('md5', n, 'pw' + n)}}}}}\n")
    f.write("phones:\n")
    for n in numbers:
        f.write(f"  - {{deviceName: BENCH{n}, securityProfile: bench phones, digestUser: \"{n}\", lines: [\"{n}\"]}}\n")
    for n in tls_numbers:
        f.write(f"  - {{deviceName: BENCH{n}, securityProfile: bench tls phones, digestUser: \"{n}\", lines: [\"{n}\"]}}\n")

# HOLD seconds of PCMU, 20 ms packets of 160 octets, Ethernet/IPv4/UDP frames as sipp's
# play_pcap_audio wants them (it rewrites addresses and ports).
packets = max(1, int(round(hold * 50)))
with open(os.path.join(work, "rtp.pcap"), "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    ssrc = 0x5eb0c4
    for i in range(packets):
        payload = bytes([0xff]) * 160
        rtp = struct.pack("!BBHII", 0x80, 0, i & 0xffff, (i * 160) & 0xffffffff, ssrc) + payload
        udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
        total = 20 + len(udp)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, i & 0xffff, 0, 64, 17, 0,
                         bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
        frame = b"\x00" * 12 + b"\x08\x00" + ip + udp
        usec = i * 20000
        f.write(struct.pack("<IIII", usec // 1000000, usec % 1000000, len(frame), len(frame)))
        f.write(frame)
