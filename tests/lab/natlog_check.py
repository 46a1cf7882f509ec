#!/usr/bin/python3
"""Matches what secnat showed (`show nat sessions json`) against what its NAT event log collectors
received: the IPFIX records (ipfix_collector.py's JSON lines) and the syslog messages rsyslog wrote
(one per line: MSGID TAB STRUCTURED-DATA TAB ...). Prints each mismatch; exits 1 if there was any.

  natlog_check.py created SESSIONS IPFIX SYSLOG... [--after MS --before MS]
  natlog_check.py deleted SESSIONS IPFIX SYSLOG... --idle-udp S --idle-icmp S
                                              (UDP and ICMP sessions, by timeout, not before it)
  natlog_check.py blocks SESSIONS IPFIX SYSLOG...                  (port-block mode)
  natlog_check.py event NATEVENT IPFIX SYSLOG... [key=value...]    (an event of that kind, e.g. 10)
"""
import json
import re
import sys

PROTO = {"tcp": 6, "udp": 17, "icmp": 1}
MSGID = {1: "SESSION_CREATE", 2: "SESSION_DELETE", 3: "ADDRESSES_EXHAUSTED", 10: "PORTS_EXHAUSTED",
         11: "QUOTA_EXCEEDED", 14: "PORT_BLOCK_ALLOC", 15: "PORT_BLOCK_FREE"}
SD_PARAM = re.compile(r'([a-z-]+)="([^"]*)"')


def ipfix_records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def syslog_records(path):
    """Each message as (msgid, {param: value}, rfc3339 time)."""
    out = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                continue
            out.append((parts[0], dict(SD_PARAM.findall(parts[1])), parts[2]))
    return out


def endpoint(text):
    addr, port = text.rsplit(":", 1)
    return addr, int(port)


def sessions(path):
    with open(path) as f:
        return json.load(f)["sessions"]


def ipfix_matches(rec, s, event):
    ia, ip = endpoint(s["inside"])
    oa, op = endpoint(s["outside"])
    ra, rp = endpoint(s["remote"])
    return (rec.get("natEvent") == event and rec.get("protocolIdentifier") == PROTO[s["proto"]] and
            rec.get("sourceIPv4Address") == ia and rec.get("sourceTransportPort") == ip and
            rec.get("postNATSourceIPv4Address") == oa and rec.get("postNAPTSourceTransportPort") == op and
            rec.get("destinationIPv4Address") == ra and rec.get("destinationTransportPort") == rp and
            rec.get("postNATDestinationIPv4Address") == ra and
            rec.get("postNAPTDestinationTransportPort") == rp)


def syslog_matches(msg, s, event):
    msgid, sd, _ = msg
    ia, ip = endpoint(s["inside"])
    oa, op = endpoint(s["outside"])
    ra, rp = endpoint(s["remote"])
    return (msgid == MSGID[event] and sd.get("proto") == s["proto"] and sd.get("inside-addr") == ia and
            sd.get("inside-port") == str(ip) and sd.get("outside-addr") == oa and
            sd.get("outside-port") == str(op) and sd.get("remote-addr") == ra and
            sd.get("remote-port") == str(rp))


def option(args, name, default=None):
    if name in args:
        return int(args[args.index(name) + 1])
    return default


def check_sessions(kind, args):
    snap, ipfix_path = sessions(args[0]), args[1]
    syslog_paths = [a for a in args[2:] if not a.startswith("--") and not a.isdigit()]
    after, before = option(args, "--after", 0), option(args, "--before", 1 << 62)
    records = ipfix_records(ipfix_path)
    logs = {p: syslog_records(p) for p in syslog_paths}
    event = 1 if kind == "created" else 2
    wanted = snap if kind == "created" else [s for s in snap if s["proto"] in ("udp", "icmp")]
    bad = 0
    for s in wanted:
        what = f'{s["proto"]} {s["inside"]} as {s["outside"]} to {s["remote"]}'
        found = [r for r in records if ipfix_matches(r, s, event)]
        if len(found) != 1:
            print(f"IPFIX: {len(found)} {MSGID[event]} records for {what}")
            bad += 1
            continue
        rec = found[0]
        if not after <= rec["observationTimeMilliseconds"] <= before:
            print(f"IPFIX: {what} at {rec['observationTimeMilliseconds']}, not within [{after}, {before}]")
            bad += 1
        if event == 2:
            created = [r for r in records if ipfix_matches(r, s, 1)]
            idle = option(args, "--idle-" + s["proto"], 0) * 1000
            if created and rec["observationTimeMilliseconds"] - created[0]["observationTimeMilliseconds"] < idle - 1000:
                print(f"IPFIX: {what} ended {rec['observationTimeMilliseconds'] - created[0]['observationTimeMilliseconds']}"
                      f" ms after it began, before its {idle} ms timeout")
                bad += 1
        if event == 2 and rec.get("flowEndReason") != 1:
            print(f"IPFIX: {what} ended with flowEndReason {rec.get('flowEndReason')}, not idle timeout (1)")
            bad += 1
        for path, msgs in logs.items():
            got = [m for m in msgs if syslog_matches(m, s, event)]
            if len(got) != 1:
                print(f"syslog {path}: {len(got)} {MSGID[event]} messages for {what}")
                bad += 1
                continue
            sd = got[0][1]
            if int(sd.get("time-ms", -1)) != rec["observationTimeMilliseconds"]:
                print(f"syslog {path}: {what} at {sd.get('time-ms')}, IPFIX says "
                      f"{rec['observationTimeMilliseconds']}")
                bad += 1
            if event == 2 and sd.get("reason") != "timeout":
                print(f"syslog {path}: {what} ended by {sd.get('reason')}, not timeout")
                bad += 1
    print(f"{len(wanted)} sessions checked against {len(records)} IPFIX records and "
          f"{', '.join(str(len(m)) for m in logs.values())} syslog messages")
    return bad == 0 and len(wanted) > 0


def check_blocks(args):
    snap, records = sessions(args[0]), ipfix_records(args[1])
    logs = {p: syslog_records(p) for p in args[2:]}
    allocs = [r for r in records if r.get("natEvent") == 14]
    bad = 0
    for s in snap:
        what = f'{s["proto"]} {s["inside"]} as {s["outside"]} to {s["remote"]}'
        ia, _ = endpoint(s["inside"])
        oa, op = endpoint(s["outside"])
        block = [r for r in allocs if r["sourceIPv4Address"] == ia and r["postNATSourceIPv4Address"] == oa and
                 r["portRangeStart"] <= op <= r["portRangeEnd"]]
        if not block:
            print(f"IPFIX: no port block of {ia} on {oa} holds {what}")
            bad += 1
        elif block[-1]["portRangeNumPorts"] != block[-1]["portRangeEnd"] - block[-1]["portRangeStart"] + 1:
            print(f"IPFIX: block {block[-1]} counts its ports wrong")
            bad += 1
        if any(ipfix_matches(r, s, 1) for r in records):
            print(f"IPFIX: {what} was logged as a session, not by its block")
            bad += 1
        for path, msgs in logs.items():
            if not any(m[0] == "PORT_BLOCK_ALLOC" and m[1].get("inside-addr") == ia and
                       m[1].get("outside-addr") == oa and
                       int(m[1]["port-first"]) <= op <= int(m[1]["port-last"]) for m in msgs):
                print(f"syslog {path}: no PORT_BLOCK_ALLOC of {ia} holds {what}")
                bad += 1
            if any(syslog_matches(m, s, 1) for m in msgs):
                print(f"syslog {path}: {what} was logged as a session")
                bad += 1
    print(f"{len(snap)} sessions checked against {len(allocs)} block allocations")
    return bad == 0 and len(snap) > 0


def check_event(args):
    event, records = int(args[0]), ipfix_records(args[1])
    paths = [a for a in args[2:] if "=" not in a]
    want = dict(a.split("=", 1) for a in args[2:] if "=" in a)

    def fits(rec):
        return all(str(rec.get(k)) == v for k, v in want.items())
    got = [r for r in records if r.get("natEvent") == event and fits(r)]
    ok = bool(got)
    if not ok:
        print(f"IPFIX: no natEvent {event} record with {want}")
    for p in paths:
        if not any(m[0] == MSGID[event] for m in syslog_records(p)):
            print(f"syslog {p}: no {MSGID[event]} message")
            ok = False
    return ok


def main():
    kind, args = sys.argv[1], sys.argv[2:]
    if kind in ("created", "deleted"):
        ok = check_sessions(kind, args)
    elif kind == "blocks":
        ok = check_blocks(args)
    else:
        ok = check_event(args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
