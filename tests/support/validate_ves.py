#!/usr/bin/python3
"""Check VES request bodies against a VES CommonEventFormat JSON schema the way the ONAP collector does.

usage: validate_ves.py SCHEMA FILE...

SCHEMA  a CommonEventFormat_*.json (JSON Schema draft 4), e.g. tests/data/ves/schemas/CommonEventFormat_30.2.1_ONAP.json
FILE    a request body as POSTed to the collector:
          {"event": {...}}            single event   (POST /eventListener/vN)
          {"eventList": [{...}, ...]} batch          (POST /eventListener/vN/eventBatch)
        A file may hold several bodies one after another (EVEL sample dumps separate them with "=====" lines).

Besides the schema (validated with the format checker, as the collector's validator enforces "format"), the
checks the collector makes in Java are applied, since the schema alone accepts "{}":
  * a body has exactly one of "event" / "eventList"        (collector: 400 SVC0002 Incorrect JSON payload)
  * a batch is non-empty and all its events share one domain (collector: 400 SVC0001)
  * stndDefined events carry a non-empty stndDefinedNamespace, the same one within a batch (400 SVC2006/SVC0001)

Prints one line per event ("OK" or "INVALID" plus the reason) and one per broken body.
Exit status: 0 all valid, 1 something invalid, 2 usage error or unusable schema.

Needs Debian's python3-jsonschema: run with /usr/bin/python3.
"""
import json
import sys

try:
    import jsonschema
    from jsonschema import Draft4Validator
except ImportError:
    sys.stderr.write("validate_ves.py: python3-jsonschema is missing (apt-get install python3-jsonschema)\n")
    sys.exit(2)

MAX_REASONS = 3


def read_bodies(path):
    """All top-level JSON values in the file, in order. Text between them that is not JSON is skipped."""
    with open(path, encoding="utf-8-sig") as fh:
        text = fh.read()
    decoder = json.JSONDecoder()
    bodies = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        if text[pos] not in "{[":
            # separator line such as "=====": skip the rest of the line
            newline = text.find("\n", pos)
            pos = len(text) if newline < 0 else newline + 1
            continue
        value, pos = decoder.raw_decode(text, pos)
        bodies.append(value)
    if not bodies:
        raise ValueError("no JSON document in file")
    return bodies


def reasons(validator, instance):
    """Up to MAX_REASONS distinct "path: message" strings, most specific (deepest) first."""
    errors = sorted(validator.iter_errors(instance), key=lambda e: (-len(e.absolute_path), list(map(str, e.absolute_path))))
    out = []
    for err in errors:
        # An anyOf/oneOf failure says little; its sub-errors say what is wrong.
        while err.context:
            err = max(err.context, key=lambda c: len(c.absolute_path))
        where = "/" + "/".join(str(p) for p in err.absolute_path)
        text = "%s: %s" % (where, err.message if len(err.message) <= 200 else err.message[:197] + "...")
        if text not in out:
            out.append(text)
        if len(out) == MAX_REASONS:
            break
    return out


def header_of(event):
    hdr = event.get("commonEventHeader") if isinstance(event, dict) else None
    return hdr if isinstance(hdr, dict) else {}


def summary(event):
    hdr = header_of(event)
    return "domain=%s eventName=%s" % (hdr.get("domain"), hdr.get("eventName"))


class Checker:
    def __init__(self, schema):
        fmt = getattr(Draft4Validator, "FORMAT_CHECKER", None) or jsonschema.draft4_format_checker
        # Validate single events against definitions/event so batch members get their own line.
        event_schema = {"$ref": "#/definitions/event", "definitions": schema["definitions"]}
        self.validator = Draft4Validator(event_schema, format_checker=fmt)
        self.invalid = 0

    def report(self, ok, label, detail):
        if not ok:
            self.invalid += 1
        print("%s %s  %s" % ("OK     " if ok else "INVALID", label, detail))

    def check_event(self, label, event):
        problems = reasons(self.validator, event)
        hdr = header_of(event)
        if hdr.get("domain") == "stndDefined" and not hdr.get("stndDefinedNamespace"):
            problems.append("stndDefined event without a stndDefinedNamespace (collector: 400 SVC2006)")
        if problems:
            self.report(False, label, "; ".join(problems))
        else:
            self.report(True, label, summary(event))

    def check_body(self, label, body):
        if not isinstance(body, dict):
            self.report(False, label, "body is not a JSON object (collector: 400 SVC0002)")
            return
        has_single, has_batch = "event" in body, "eventList" in body
        if has_single == has_batch:
            what = "both" if has_single else "neither"
            self.report(False, label, 'body has %s of "event" and "eventList" (collector: 400 SVC0002)' % what)
            return
        if has_single:
            self.check_event(label, body["event"])
            return
        events = body["eventList"]
        if not isinstance(events, list) or not events:
            self.report(False, label, "eventList is empty or not an array (collector: 400 SVC0001)")
            return
        domains = sorted({str(header_of(e).get("domain")) for e in events})
        if len(domains) != 1:
            self.report(False, label, "batch mixes domains %s (collector: 400 SVC0001)" % ", ".join(domains))
        elif domains[0] == "stndDefined":
            namespaces = {str(header_of(e).get("stndDefinedNamespace")) for e in events}
            if len(namespaces) != 1:
                self.report(False, label, "stndDefined batch mixes stndDefinedNamespace values (collector: 400)")
        for i, event in enumerate(events):
            self.check_event("%s eventList[%d]" % (label, i), event)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    schema_path, files = argv[0], argv[1:]
    try:
        with open(schema_path, encoding="utf-8-sig") as fh:
            schema = json.load(fh)
        Draft4Validator.check_schema(schema)
        if "event" not in schema.get("definitions", {}):
            raise ValueError("no definitions/event: not a VES CommonEventFormat schema")
    except Exception as exc:  # any failure here means the schema is unusable
        sys.stderr.write("validate_ves.py: cannot use schema %s: %s\n" % (schema_path, exc))
        return 2
    checker = Checker(schema)
    for path in files:
        try:
            bodies = read_bodies(path)
        except (OSError, ValueError) as exc:
            checker.report(False, path, "unreadable: %s" % exc)
            continue
        for i, body in enumerate(bodies):
            checker.check_body(path if len(bodies) == 1 else "%s#%d" % (path, i), body)
    return 1 if checker.invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
