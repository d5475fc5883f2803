#!/usr/bin/env bash
# The lab's certificates and phones, for docs/quick-start.md; run it from where sipshield will run
# (the repository root in the quick start). It writes, in the current directory:
#   lab-pki/             a lab CA and one certificate per phone (CN = the phone's deviceName)
#   lab-phones/alice/    baresip config for 2001 (SEPAAAA00002001), SIP on 127.0.0.1:5080 (TLS 5081)
#   lab-phones/bob/      baresip config for 2002 (SEPAAAA00002002), SIP on 127.0.0.1:5090 (TLS 5091),
#                        answering every call at once
# and puts the lab CA in lab-data's SIP trust store, so sipshield believes the phones' certificates.
# SIPSHIELD: how to run sipshield (default: the launcher beside this file's repository).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
sipshield="${SIPSHIELD:-$repo/sipshield}"
here="$(pwd)"
umask 077   # private keys: readable by this user only

mkdir -p lab-pki lab-phones
if [ ! -f lab-pki/ca.key ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=sipshield lab CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout lab-pki/ca.key -out lab-pki/ca.crt 2>/dev/null
fi

# name device number sip-port rtp-ports answer-mode
phone() {
  local name=$1 device=$2 number=$3 port=$4 rtp=$5 answer=$6 dir="$here/lab-phones/$1"
  mkdir -p "$dir"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$device" -keyout "lab-pki/$name.key" -out "lab-pki/$name.csr" 2>/dev/null
  openssl x509 -req -in "lab-pki/$name.csr" -CA lab-pki/ca.crt -CAkey lab-pki/ca.key -CAcreateserial -days 365 \
    -extfile <(printf 'subjectAltName=DNS:%s\nextendedKeyUsage=clientAuth\n' "$device") \
    -out "lab-pki/$name.crt" 2>/dev/null
  cat "lab-pki/$name.crt" "lab-pki/$name.key" > "$dir/phone.pem"   # baresip wants both in one file
  # SIP over TLS to sipshield's TLS port, SRTP mandatory, G.711; sipshield's own certificate
  # (made at its first start) is the one the phone trusts. Audio goes nowhere (aubridge): for a
  # headset, replace the aubridge lines by 'module alsa.so' and 'audio_source/audio_player alsa,default'.
  printf '<sip:%s@127.0.0.1:5071;transport=tls>;regint=600;mediaenc=srtp-mand;audio_codecs=PCMU%s\n' \
    "$number" "$answer" > "$dir/accounts"
  cat > "$dir/config" <<CONFIG
poll_method epoll
sip_listen 127.0.0.1:$port
net_interface 127.0.0.1
sip_certificate $dir/phone.pem
sip_cafile $here/lab-data/certs/sip.crt.pem
rtp_ports $rtp
rtcp_mux no
module_path /usr/lib/baresip/modules
module g711.so
module srtp.so
module aubridge.so
audio_source aubridge,nil
audio_player aubridge,nil
audio_alert aubridge,nil
ausrc_srate 8000
auplay_srate 8000
ausrc_channels 1
auplay_channels 1
module_app account.so
module_app menu.so
CONFIG
}

phone alice SEPAAAA00002001 2001 5080 10000-10019 ""
phone bob SEPAAAA00002002 2002 5090 10020-10039 ";answermode=auto"
rm -f lab-pki/*.csr

$sipshield certs --data-dir lab-data trust-add sip lab-pki/ca.crt
echo "lab ready: start sipshield with ./sipshield run --config config/examples/lab.yaml"
