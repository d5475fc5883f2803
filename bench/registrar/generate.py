#!/usr/bin/env python3
"""Writes a sipshield config of N digest phones (lines 1000000.., users u0..) and sipp's -inf CSV for them."""
import hashlib
import sys

n, config, csv = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(config, "w") as c, open(csv, "w") as p:
    c.write("""server: {dataDirectory: data, hostName: 127.0.0.1}
listeners:
  - {transport: UDP, address: 127.0.0.1, port: 35060}
  - {transport: TCP, address: 127.0.0.1, port: 35060}
  - {transport: TLS, address: 127.0.0.1, port: 35061}
security: {requestsPerSecondPerSource: 100000, requestBurstPerSource: 100000}
phoneSecurityProfiles:
  - {name: digest phones, enableDigestAuthentication: true}
endUsers:
""")
    for i in range(n):
        ha1 = hashlib.md5(f"u{i}:ccmsipline:pw{i}".encode()).hexdigest()
        c.write(f"  - {{userId: u{i}, digestCredentials: {{MD5: {ha1}}}}}\n")
    c.write("phones:\n")
    p.write("SEQUENTIAL\n")
    for i in range(n):
        c.write(f"  - {{deviceName: SEP{i:012d}, securityProfile: digest phones, digestUser: u{i}, lines: [\"{1000000 + i}\"]}}\n")
        p.write(f"{1000000 + i};[authentication username=u{i} password=pw{i}]\n")
