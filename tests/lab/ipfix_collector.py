#!/usr/bin/python3
"""A strict IPFIX (RFC 7011) collector for the lab: decodes data records with the templates it has
received (and only those), checks each message's framing and sequence number, and writes one JSON
object per data record (information elements by name) to OUT; protocol errors go to OUT.errors.

Usage: ipfix_collector.py ADDRESS PORT OUT
"""
import json
import socket
import struct
import sys

# The IANA names of the elements secnat uses; anything else is reported by number.
NAMES = {4: "protocolIdentifier", 7: "sourceTransportPort", 8: "sourceIPv4Address",
         11: "destinationTransportPort", 12: "destinationIPv4Address", 136: "flowEndReason",
         225: "postNATSourceIPv4Address", 226: "postNATDestinationIPv4Address",
         227: "postNAPTSourceTransportPort", 228: "postNAPTDestinationTransportPort",
         230: "natEvent", 283: "natPoolId", 323: "observationTimeMilliseconds",
         361: "portRangeStart", 362: "portRangeEnd", 363: "portRangeStepSize",
         364: "portRangeNumPorts", 466: "natQuotaExceededEvent", 471: "maxSessionEntries",
         473: "maxEntriesPerUser", 474: "maxSubscribers"}
ADDRESSES = {8, 12, 225, 226}


def value(ie, raw):
    if ie in ADDRESSES and len(raw) == 4:
        return socket.inet_ntoa(raw)
    return int.from_bytes(raw, "big")


def main():
    addr, port, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    templates = {}  # (domain, template id) -> [(ie, length)]
    expected_seq = {}  # domain -> sequence number the next message must carry
    out = open(out_path, "a", buffering=1)
    errors = open(out_path + ".errors", "a", buffering=1)
    stats = open(out_path + ".stats", "w", buffering=1)
    messages = template_sets = largest = 0
    while True:
        msg = sock.recv(65535)
        messages += 1
        largest = max(largest, len(msg))
        try:
            version, length, export_time, seq, domain = struct.unpack("!HHIII", msg[:16])
            if version != 10 or length != len(msg):
                raise ValueError(f"header: version {version}, length {length} of {len(msg)} bytes")
            if domain in expected_seq and seq != expected_seq[domain]:
                errors.write(f"sequence {seq}, expected {expected_seq[domain]}\n")
            records = 0
            off = 16
            while off < length:
                set_id, set_len = struct.unpack("!HH", msg[off:off + 4])
                if set_len < 4 or off + set_len > length:
                    raise ValueError(f"set {set_id} of length {set_len} at {off}")
                body, end = off + 4, off + set_len
                if set_id == 2:
                    template_sets += 1
                    while body + 4 <= end:
                        tid, count = struct.unpack("!HH", msg[body:body + 4])
                        body += 4
                        fields = []
                        for _ in range(count):
                            ie, flen = struct.unpack("!HH", msg[body:body + 4])
                            if ie & 0x8000:
                                raise ValueError("enterprise elements are not expected")
                            fields.append((ie, flen))
                            body += 4
                        templates[(domain, tid)] = fields
                elif set_id >= 256:
                    fields = templates.get((domain, set_id))
                    if fields is None:
                        raise ValueError(f"data set {set_id} before its template")
                    size = sum(f[1] for f in fields)
                    while body + size <= end:
                        rec = {"template": set_id, "exportTime": export_time}
                        for ie, flen in fields:
                            rec[NAMES.get(ie, str(ie))] = value(ie, msg[body:body + flen])
                            body += flen
                        out.write(json.dumps(rec) + "\n")
                        records += 1
                    if end - body >= 4:  # padding is shorter than a record
                        raise ValueError(f"{end - body} bytes left over in data set {set_id}")
                else:
                    raise ValueError(f"set id {set_id}")
                off = end
            expected_seq[domain] = (seq + records) % (1 << 32)
        except (ValueError, struct.error) as e:
            errors.write(f"message {messages}: {e}\n")
        stats.seek(0)
        stats.write(json.dumps({"messages": messages, "template_sets": template_sets,
                                "largest": largest}) + "\n")
        stats.truncate()


if __name__ == "__main__":
    main()
