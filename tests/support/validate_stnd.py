#!/usr/bin/python3
"""Predict what the ONAP DCAE VES collector answers to a VES 7.2.1 stndDefined POST.

Usage:
  validate_stnd.py [options] FILE_OR_DIR...          request bodies ({"event":..} / {"eventList":[..]})
  validate_stnd.py [options] --ref SCHEMAREF FILE... bare 3GPP notifications (the stndDefinedFields.data
                                                     object only), checked against SCHEMAREF
Options:
  -q                 print only bodies whose result is not 202 (or not as expected with --expect)
  --expect FILE      JSON {relative path: "202" | "400 SVC0002" | ... | "NOT-JSON"}; exit 1 on mismatch
  --map FILE         schema-map.json          (default: tests/data/ves/stndDefined/externalRepo/schema-map.json)
  --schemas DIR      directory for localURLs  (default: directory of --map)
  --ves-schema FILE  outer VES JSON schema    (default: tests/data/ves/schemas/CommonEventFormat_30.2.1_ONAP.json)
  --streams A,B,..   routable domains/namespaces (default: the collector's ves_application_config.yaml list)
  --no-stnd-check    emulate collector.externalSchema.checkflag=-1 (data is not validated)
  --strict           LINT findings (agent-side conventions, not collector checks) count as failures

The collector pipeline emulated (onap/dcaegen2-collectors-ves VesRestController.handleEvent + DCAE SDK
external-schema-manager + openapi4j 1.0.4), first failure wins:
  1. body must hold "event" (single endpoint) or "eventList" (batch)  -> else 400 SVC0002
  2. JSON schema CommonEventFormat_30.2.1_ONAP (draft-04, formats)     -> else 400 SVC0002
  3. per event, only if domain == "stndDefined" and stndDefinedFields.schemaReference is a non-empty string:
     schemaReference split on '#'; the part before '#' must equal a publicURL in schema-map.json
                                                                         -> else 400 SVC2004
     the mapped YAML and every file it $refs are loaded, every $ref in them must resolve, and the
     fragment (JSON pointer, '/' prepended if missing; no/extra '#' => whole document) must exist
                                                                         -> else 400 SVC2000
     stndDefinedFields.data validated with OpenAPI 3.0 semantics          -> else 400 SVC2000
  4. batch: one domain for all events -> else 400 SVC0001; stndDefined: every event has
     stndDefinedNamespace (else 400 SVC2006) and all are equal (else 400 SVC0001)
  5. routing: stndDefinedNamespace (stndDefined) / domain must be a configured stream
     (missing/empty namespace -> 400 SVC2006; unknown -> 400 SVC2000 "No domain defined for stream id")
  6. otherwise 202 Accepted (200 when collector.response.compatibility=None)

OpenAPI 3.0 specifics reproduced for data: nullable defaults to false on every schema (null rejected
unless nullable: true); additionalProperties allowed by default; openapi4j formats: int32, int64,
float, double, byte, binary, password, date, date-time, email, hostname, ipv4, ipv6, uuid, uri,
uri-ref, uri-reference (any other name, e.g. the 3GPP "date-Time" or "long", is NOT checked).
NB openapi4j's "float" requires a JSON number even when type is string, so 3GPP 'Float'
(type: string, format: float) can never validate: use integers where oneOf offers one.

Needs Debian python3-yaml and python3-jsonschema; run with /usr/bin/python3.
Exit: 0 all accepted (or all as expected), 1 otherwise, 2 usage/setup error.
"""
import json
import os
import re
import sys
import warnings

try:
    import yaml
    import jsonschema
    from jsonschema import Draft4Validator
except ImportError:  # pragma: no cover
    sys.stderr.write("needs python3-yaml and python3-jsonschema (apt-get install python3-yaml python3-jsonschema)\n")
    sys.exit(2)

warnings.filterwarnings("ignore", category=DeprecationWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "data", "ves"))
DEFAULT_MAP = os.path.join(DATA, "stndDefined", "externalRepo", "schema-map.json")
DEFAULT_VES_SCHEMA = os.path.join(DATA, "schemas", "CommonEventFormat_30.2.1_ONAP.json")
# collector.dmaap.streamid of onap/dcaegen2-collectors-ves etc/ves_application_config.yaml (what helm deploys)
DEFAULT_STREAMS = ("fault syslog heartbeat measurement measurementsForVfScaling mobileFlow other stateChange "
                   "thresholdCrossingAlert voiceQuality sipSignaling notification pnfRegistration "
                   "3GPP-FaultSupervision 3GPP-Heartbeat 3GPP-Provisioning 3GPP-PerformanceAssurance").split()

R = {  # collector answers (ApiException.java)
    "SCHEMA": "400 SVC0002", "PAYLOAD": "400 SVC0002", "NOMAP": "400 SVC2004", "BADREF": "400 SVC2000",
    "DATA": "400 SVC2000", "DOMAINS": "400 SVC0001", "NAMESPACES": "400 SVC0001", "NS_MISSING": "400 SVC2006",
    "NS_EMPTY": "400 SVC2006", "NOSTREAM": "400 SVC2000", "OK": "202",
}
TEXT = {
    "SCHEMA": "Bad Parameter (JSON does not conform to schema)",
    "PAYLOAD": "Incorrect JSON payload (no 'event'/'eventList')",
    "NOMAP": "Invalid input value for attribute event.stndDefinedFields.schemaReference: "
             "Referred external schema not present in schema repository",
    "BADREF": "event.stndDefinedFields.schemaReference value does not correspond to any external event "
              "schema file in externalSchema repo",
    "DATA": "event.stndDefinedFields.data invalid against event.stndDefinedFields.schemaReference",
    "DOMAINS": "Different value of domain fields in Batch Event",
    "NAMESPACES": "Value of stndDefinedNamespace fields have to be same when domain is stndDefined",
    "NS_MISSING": "Mandatory input attribute event.commonEventHeader.stndDefinedNamespace is missing from request",
    "NS_EMPTY": "Mandatory input attribute event.commonEventHeader.stndDefinedNamespace is empty in request",
    "NOSTREAM": "No domain defined for stream id (docs claim SVC2004; code answers SVC2000)",
    "OK": "Accepted",
}


class Reject(Exception):
    def __init__(self, key, detail=""):
        Exception.__init__(self, key)
        self.key, self.detail = key, detail


# ---------------------------------------------------------------- openapi4j format checks
_P = {
    "date": r"^\d{4}-(?:0[0-9]{1}|1[0-2]{1})-(0?[1-9]|[12][0-9]|3[01])$",
    "date-time": r"^\d{4}-(?:0[0-9]{1}|1[0-2]{1})-(0?[1-9]|[12][0-9]|3[01])[tT ]\d{2}:\d{2}:\d{2}(\.\d+)?([zZ]|[+-]\d{2}:\d{2})$",
    "email": r"^\S+@\S+$",
    "hostname": r"^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])(\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]{0,61}[a-zA-Z0-9]))*$",
    "ipv4": r"^(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$",
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "uri": r"(^[a-zA-Z][a-zA-Z0-9+-.]*:[^\s]*$)|(^//[^\s]*$)",
    "byte": r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$",
}
_P["uri-ref"] = _P["uri-reference"] = _P["uri"]


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _jackson_int(v):  # IntNode: fits in 32 bits
    return _is_int(v) and -2 ** 31 <= v < 2 ** 31


def openapi4j_format_checker():
    fc = jsonschema.FormatChecker(formats=())

    def reg(name, fn):
        fc.checks(name)(fn)

    reg("int32", _jackson_int)
    reg("int64", lambda v: _is_int(v) and -2 ** 63 <= v < 2 ** 63)
    reg("float", lambda v: _jackson_int(v) or isinstance(v, float))
    reg("double", lambda v: _is_int(v) or isinstance(v, float))
    reg("binary", lambda v: isinstance(v, str))
    reg("password", lambda v: isinstance(v, str))
    for name, rx in _P.items():
        reg(name, (lambda r: lambda v: not isinstance(v, str) or re.search(r, v) is not None)(re.compile(rx)))

    def ipv6(v):
        if not isinstance(v, str):
            return True
        import ipaddress
        try:
            ipaddress.IPv6Address(v.strip().split("%")[0])
            return True
        except ValueError:
            return False
    reg("ipv6", ipv6)
    return fc


def ves_format_checker():
    """draft-04 checker as the collector's networknt 1.0.49 applies it (uri by regex)."""
    base = getattr(Draft4Validator, "FORMAT_CHECKER", None) or jsonschema.draft4_format_checker
    fc = jsonschema.FormatChecker(formats=list(base.checkers))
    rx = re.compile(_P["uri"])
    fc.checks("uri")(lambda v: not isinstance(v, str) or rx.search(v) is not None)
    return fc


# ---------------------------------------------------------------- OpenAPI loading / bundling
class SchemaRepo:
    def __init__(self, map_path, schemas_dir):
        self.schemas_dir = schemas_dir
        self.docs = {}
        self.mapping, self.map_warnings = {}, []
        try:
            with open(map_path, encoding="utf-8") as fh:
                entries = json.load(fh)
        except (OSError, ValueError) as exc:
            self.map_warnings.append("mapping file unreadable (%s): every schemaReference -> SVC2004" % exc)
            entries = []
        for e in entries:
            try:
                pub, loc = e["publicURL"], e["localURL"]
            except (KeyError, TypeError):
                self.map_warnings.append("mapping file has incorrect format: all mappings dropped")
                self.mapping = {}
                break
            path = os.path.join(schemas_dir, loc)
            err = self._check_file(path)
            if err:
                self.map_warnings.append("mapping for %s dropped: %s" % (pub, err))
            else:
                self.mapping[pub] = path

    @staticmethod
    def _check_file(path):
        if not os.path.isfile(path):
            return "local schema %s missing" % path
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        if not text:
            return "schema file %s empty" % path
        try:
            yaml.safe_load(text)
        except yaml.YAMLError:
            return "schema %s has incorrect YAML structure" % path
        return None

    def load(self, path):
        path = os.path.normpath(path)
        if path not in self.docs:
            with open(path, encoding="utf-8") as fh:
                self.docs[path] = yaml.safe_load(fh)
        return self.docs[path]

    @staticmethod
    def pointer(doc, ptr):
        if ptr in ("", "/"):
            return doc
        node = doc
        for part in ptr.lstrip("/").split("/") if ptr.startswith("/") else ptr.split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise KeyError(ptr)
        return node

    def split_ref(self, path, ref):
        file_part, _, frag = ref.partition("#")
        target = path if not file_part else os.path.normpath(os.path.join(os.path.dirname(path), file_part))
        return target, (frag if frag else "/")

    def check_all_refs(self, path):
        """openapi4j resolves every $ref of the mapped file and of every file it reaches, eagerly."""
        seen, todo = set(), [path]
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            try:
                doc = self.load(p)
            except (OSError, yaml.YAMLError) as exc:
                raise Reject("BADREF", "cannot load %s (%s)" % (p, exc.__class__.__name__))
            for ref in _find_refs(doc):
                if not isinstance(ref, str):
                    continue
                tp, frag = self.split_ref(p, ref)
                try:
                    self.pointer(self.load(tp), frag)
                except (OSError, yaml.YAMLError):
                    raise Reject("BADREF", "%s: $ref %r -> file %s not loadable" % (os.path.basename(p), ref, tp))
                except KeyError:
                    raise Reject("BADREF", "%s: $ref %r unresolvable" % (os.path.basename(p), ref))
                todo.append(tp)

    def bundle(self, path, ptr):
        """Self-contained draft-04 schema for (file, JSON pointer), OpenAPI 3.0 keywords translated."""
        defs, keys = {}, {}

        def target(p, fr):
            k = (os.path.normpath(p), fr)
            if k not in keys:
                keys[k] = "s%d" % len(keys)
                defs[keys[k]] = {}
                defs[keys[k]] = conv(self.pointer(self.load(p), fr), p)
            return {"$ref": "#/definitions/" + keys[k]}

        def conv(node, p):
            if not isinstance(node, dict):
                return node
            if "$ref" in node and isinstance(node["$ref"], str):
                return target(*self.split_ref(p, node["$ref"]))
            out = {}
            for k, v in node.items():
                if k in ("properties", "patternProperties") and isinstance(v, dict):
                    out[k] = {pk: conv(pv, p) for pk, pv in v.items()}
                elif k in ("items", "additionalProperties", "not"):
                    out[k] = conv(v, p)
                elif k in ("allOf", "anyOf", "oneOf") and isinstance(v, list):
                    out[k] = [conv(x, p) for x in v]
                elif k in ("nullable", "discriminator", "readOnly", "writeOnly", "xml", "example",
                           "externalDocs", "deprecated", "description", "title", "default"):
                    continue
                else:
                    out[k] = v
            if node.get("nullable") is True:
                if isinstance(out.get("type"), str):
                    out["type"] = [out["type"], "null"]
            else:  # openapi4j: nullable defaults to false on every non-$ref schema
                if "not" in out:
                    out = {"allOf": [out, {"not": {"type": "null"}}]}
                else:
                    out["not"] = {"type": "null"}
            return out

        root = target(path, ptr)
        return {"definitions": defs, "$ref": root["$ref"]}


def _find_refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _find_refs(v)
    elif isinstance(node, list):
        for x in node:
            yield from _find_refs(x)


def split_schema_reference(ref):
    """SchemaReferenceResolver: Java String.split('#') (trailing empties dropped); 2 parts -> fragment."""
    parts = ref.split("#")
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    url = parts[0]
    if len(parts) == 2:
        frag = parts[1] if parts[1].startswith("/") else "/" + parts[1]
    else:
        frag = "/"
    return url, frag, len(parts)


def short(err):
    where = "/".join(str(p) for p in err.absolute_path) or "<root>"
    msg = err.message if len(err.message) <= 150 else err.message[:147] + "..."
    return "%s: %s" % (where, msg)


def flat_errors(validator, inst, limit=4):
    out = []

    def walk(e):
        if e.context:
            for c in sorted(e.context, key=lambda c: -len(c.absolute_path)):
                walk(c)
        else:
            s = short(e)
            if s not in out and "is not of type 'null'" not in s and "should not be valid under {'type': 'null'}" not in s:
                out.append(s)
    for e in sorted(validator.iter_errors(inst), key=lambda e: -len(e.absolute_path)):
        walk(e)
    return out[:limit] or ["(no detail)"]


class Checker:
    def __init__(self, repo, ves_schema, streams, stnd_check=True):
        self.repo, self.streams, self.stnd_check = repo, set(streams), stnd_check
        fc = ves_format_checker()
        self.body_validator = Draft4Validator(ves_schema, format_checker=fc)
        self.data_fc = openapi4j_format_checker()
        self.validators = {}

    def data_validator(self, schema_ref):
        """Returns (validator, notes) or raises Reject."""
        url, frag, nparts = split_schema_reference(schema_ref)
        notes = []
        if nparts != 2:
            notes.append("schemaReference has %s '#': collector validates against the WHOLE OpenAPI document "
                         "(data effectively unchecked) - always send '...yaml#/components/schemas/<Name>'"
                         % ("no" if nparts == 1 else "several"))
        if url not in self.repo.mapping:
            raise Reject("NOMAP", "no publicURL %r in schema-map.json" % url)
        key = (url, frag)
        if key not in self.validators:
            path = self.repo.mapping[url]
            self.repo.check_all_refs(path)
            try:
                schema = self.repo.bundle(path, frag)
            except KeyError:
                raise Reject("BADREF", "fragment %r not found in %s" % (frag, os.path.basename(path)))
            self.validators[key] = Draft4Validator(schema, format_checker=self.data_fc)
        return self.validators[key], notes

    def check_body(self, body):
        """Returns (result_key, detail, notes, lints)."""
        notes, lints = [], []
        if not isinstance(body, dict) or ("event" not in body and "eventList" not in body):
            return "PAYLOAD", "", notes, lints
        batch = "eventList" in body and "event" not in body
        errs = flat_errors(self.body_validator, body) if not self.body_validator.is_valid(body) else None
        if errs:
            return "SCHEMA", "; ".join(errs), notes, lints
        events = body["eventList"] if batch else [body["event"]]
        if batch and not events:
            return "DOMAINS", "empty eventList", notes, lints
        try:
            for i, ev in enumerate(events):
                tag = "event[%d] " % i if batch else ""
                hdr = ev["commonEventHeader"]
                lints.extend(tag + m for m in lint_event(ev))
                if hdr["domain"] != "stndDefined":
                    continue
                sdf = ev.get("stndDefinedFields")
                ref = sdf.get("schemaReference") if isinstance(sdf, dict) else None
                if not isinstance(ref, str) or not ref:
                    notes.append(tag + "no schemaReference: collector skips stndDefined validation of data")
                    continue
                if not self.stnd_check:
                    continue
                val, n = self.data_validator(ref)
                notes.extend(tag + x for x in n)
                if not val.is_valid(sdf["data"]):
                    raise Reject("DATA", tag + "; ".join(flat_errors(val, sdf["data"])))
            domains = {ev["commonEventHeader"]["domain"] for ev in events}
            if len(domains) != 1:
                raise Reject("DOMAINS", "domains %s" % sorted(domains))
            if domains == {"stndDefined"}:
                hdrs = [ev["commonEventHeader"] for ev in events]
                if any("stndDefinedNamespace" not in h for h in hdrs):
                    raise Reject("NS_MISSING")
                if len({h["stndDefinedNamespace"] for h in hdrs}) != 1:
                    raise Reject("NAMESPACES", "namespaces %s" % sorted({h["stndDefinedNamespace"] for h in hdrs}))
                ns = hdrs[0]["stndDefinedNamespace"]
                if ns == "":
                    raise Reject("NS_EMPTY")
                stream = ns
            else:
                stream = events[0]["commonEventHeader"]["domain"]
            if stream not in self.streams:
                raise Reject("NOSTREAM", "stream id %r not in collector.dmaap.streamid" % stream)
        except Reject as rj:
            return rj.key, rj.detail, notes, lints
        return "OK", "", notes, lints


NOTIF_FOR_SCHEMA = {
    "NotifyNewAlarm": "notifyNewAlarm", "NotifyNewSecAlarm": "notifyNewAlarm",
    "NotifyChangedAlarm": "notifyChangedAlarm", "NotifyChangedAlarmGeneral": "notifyChangedAlarmGeneral",
    "NotifyChangedSecAlarmGeneral": "notifyChangedAlarmGeneral", "NotifyClearedAlarm": "notifyClearedAlarm",
    "NotifyAckStateChanged": "notifyAckStateChanged", "NotifyComments": "notifyComments",
    "NotifyCorrelatedNotificationChanged": "notifyCorrelatedNotificationChanged",
    "NotifyAlarmListRebuilt": "notifyAlarmListRebuiltAlarm",
    "NotifyPotentialFaultyAlarmList": "notifyPotentialFaultyAlarmList",
}
RFC3339 = re.compile(_P["date-time"])


def lint_data(data, schema_name):
    """Agent-side consistency checks the collector does NOT perform."""
    out = []
    if not isinstance(data, dict):
        return out
    want = NOTIF_FOR_SCHEMA.get(schema_name)
    if want and data.get("notificationType") != want:
        out.append("LINT notificationType %r but schema %s (expected %r)" % (data.get("notificationType"), schema_name, want))
    if "eventTime" in data and not (isinstance(data["eventTime"], str) and RFC3339.search(data["eventTime"])):
        out.append("LINT eventTime %r is not RFC 3339 date-time (schema format 'date-Time' is unchecked)" % data["eventTime"])
    if schema_name == "NotifyClearedAlarm" and data.get("perceivedSeverity") != "CLEARED":
        out.append("LINT NotifyClearedAlarm with perceivedSeverity %r (3GPP: CLEARED)" % data.get("perceivedSeverity"))
    if schema_name in ("NotifyNewAlarm", "NotifyChangedAlarm") and data.get("perceivedSeverity") == "CLEARED":
        out.append("LINT %s with perceivedSeverity CLEARED (use NotifyClearedAlarm)" % schema_name)
    if "href" in data and not isinstance(data["href"], str):
        out.append("LINT href is %s; 3GPP means a URI string (the schema leaves href untyped)" % type(data["href"]).__name__)
    return out


def lint_event(ev):
    hdr = ev.get("commonEventHeader", {})
    if hdr.get("domain") != "stndDefined":
        return []
    out = []
    ns = hdr.get("stndDefinedNamespace")
    sdf = ev.get("stndDefinedFields", {})
    ref = sdf.get("schemaReference", "") if isinstance(sdf, dict) else ""
    name = ref.rsplit("/", 1)[-1] if "#" in ref else ""
    if ns and ref and "faultMnS" in ref and ns != "3GPP-FaultSupervision":
        out.append("LINT namespace %r with a faultMnS schemaReference (collector routes by namespace only)" % ns)
    if isinstance(sdf, dict):
        out.extend(lint_data(sdf.get("data"), name))
    return out


# ---------------------------------------------------------------- CLI
def iter_files(args):
    for arg in args:
        if os.path.isdir(arg):
            for root, dirs, files in os.walk(arg):
                dirs.sort()
                for name in sorted(files):
                    if name.endswith(".json") and name != "expected.json":
                        yield os.path.join(root, name)
        else:
            yield arg


def main(argv):
    opts = {"-q": False, "--strict": False, "--no-stnd-check": False}
    vals = {"--expect": None, "--map": DEFAULT_MAP, "--schemas": None, "--ves-schema": DEFAULT_VES_SCHEMA,
            "--streams": None, "--ref": None}
    targets = []
    it = iter(argv)
    for a in it:
        if a in opts:
            opts[a] = True
        elif a in vals:
            vals[a] = next(it, None)
        elif a.startswith("-"):
            sys.stderr.write(__doc__)
            return 2
        else:
            targets.append(a)
    if not targets:
        sys.stderr.write(__doc__)
        return 2
    schemas_dir = vals["--schemas"] or os.path.dirname(os.path.abspath(vals["--map"]))
    repo = SchemaRepo(vals["--map"], schemas_dir)
    for w in repo.map_warnings:
        print("WARN  %s" % w)
    try:
        with open(vals["--ves-schema"], encoding="utf-8-sig") as fh:
            ves_schema = json.load(fh)
    except (OSError, ValueError) as exc:
        sys.stderr.write("cannot load VES schema %s: %s\n" % (vals["--ves-schema"], exc))
        return 2
    streams = vals["--streams"].split(",") if vals["--streams"] else DEFAULT_STREAMS
    chk = Checker(repo, ves_schema, streams, stnd_check=not opts["--no-stnd-check"])
    expect, base = {}, os.getcwd()
    if vals["--expect"]:
        with open(vals["--expect"], encoding="utf-8") as fh:
            expect = json.load(fh)
        base = os.path.dirname(os.path.abspath(vals["--expect"]))
    bad = 0
    for path in iter_files(targets):
        rel = os.path.relpath(os.path.abspath(path), base)
        if rel.startswith(".."):
            rel = os.path.abspath(path)
        lines = []
        try:
            with open(path, encoding="utf-8-sig") as fh:
                body = json.load(fh)
        except (OSError, ValueError) as exc:
            code, detail, notes, lints = "NOT-JSON", str(exc)[:120], [], []
        else:
            if vals["--ref"]:  # bare data object
                notes, lints = [], lint_data(body, vals["--ref"].rsplit("/", 1)[-1])
                try:
                    val, notes = chk.data_validator(vals["--ref"])
                    ok = val.is_valid(body)
                    key, detail = ("OK", "") if ok else ("DATA", "; ".join(flat_errors(val, body)))
                except Reject as rj:
                    key, detail = rj.key, rj.detail
            else:
                key, detail, notes, lints = chk.check_body(body)
            code = R[key]
            detail = (TEXT[key] + (" -- " + detail if detail else "")) if key != "OK" else ""
        want = expect.get(rel) if expect else None
        ok = (code == want) if want is not None else code == "202"
        if opts["--strict"] and lints:
            ok = False
        mark = ("OK " if ok else "BAD") + (" (expected %s)" % want if want is not None and not ok else "")
        if not ok:
            bad += 1
        if ok and opts["-q"]:
            continue
        lines.append("%-3s %-11s %s%s" % (mark[:3], code, rel, mark[3:]))
        if detail:
            lines.append("      " + detail)
        lines.extend("      note: " + n for n in notes)
        lines.extend("      " + n for n in lints)
        print("\n".join(lines))
    if expect:
        missing = [k for k in expect if not os.path.exists(os.path.join(base, k))]
        for k in missing:
            print("BAD listed in --expect but missing: %s" % k)
            bad += 1
    print("--- %d problem(s)" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
