// Command gen writes ../cases.json: each case's template executed by Go's text/template with Sprig's
// TxtFuncMap, as VESPA executes rule templates. The C++ table test (tests/unit/template) compares the
// ves-agent template engine with these outputs. See ../README.md for how to run it.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
)

// Case is one template with its data. Data is JSON; empty means defaultData. Strict executes with
// Option("missingkey=error"), as VESPA does for expr, vmId and target.
type Case struct {
	Name   string
	Tmpl   string
	Data   string
	Strict bool
}

// Result is one line of cases.json.
type Result struct {
	Name     string          `json:"name"`
	Template string          `json:"template"`
	Data     json.RawMessage `json:"data"`
	Strict   bool            `json:"strict,omitempty"`
	Output   *string         `json:"output,omitempty"`
	Error    string          `json:"error,omitempty"`    // "parse" or "exec"
	GoError  string          `json:"go_error,omitempty"` // Go's message, for the reader
}

// The data VESPA gives a rule's templates (labels, vmId, interval) plus values of every other JSON type.
const defaultData = `{
 "labels": {"VNFC": "lr-ope-0", "cpu": "3", "instance": "node-1:9100", "job": "node", "mountpoint": "/var/log",
            "device": "eth0", "VESField": "CPUUsageArray.PercentUsage", "empty": "", "mixed": "Hello World",
            "padded": "  spaced out  ", "num": "42", "fnum": "2.50", "hex": "0x1f", "neg": "-7", "csv": "a,b,,c",
            "path": "/dev/sda1", "quote": "say \"hi\"\n", "utf": "héllo wörld", "zero": "0", "ten": "10.0"},
 "interval": 300,
 "vmId": "lr-ope-0",
 "n": 0, "i": 7, "big": 1234567, "neg": -3, "f": 2.5, "fz": 0.0, "fbig": 1e21, "fsmall": 0.0001, "fint": 3.0,
 "fm": 1000000.0, "ffrac": 0.1,
 "t": true, "no": false, "nil": null, "s": "text", "es": "",
 "list": [1, 2, 3], "strs": ["b", "a", "c"], "el": [], "mix": ["x", 1, 2.5, true, null],
 "nested": {"a": {"b": {"c": "deep"}}, "l": [{"k": "v0"}, {"k": "v1"}]},
 "m": {"z": 1, "a": 2, "m": 3}, "sm": {"b": "2", "a": "1"}, "em": {}
}`

var cases = []Case{
	// text, actions, fields
	{"literal", "plain text", "", false},
	{"empty_template", "", "", false},
	{"label", "{{.labels.VNFC}}", "", false},
	{"label_spaces", "{{ .labels.VNFC }}", "", false},
	{"vm_id", "{{.vmId}}", "", false},
	{"interval", "avg_over_time(x[{{.interval}}s])", "", false},
	{"mixed_text", "cpu-{{.labels.cpu}}@{{.vmId}}/{{.interval}}s", "", false},
	{"dot_map", "{{.m}}", "", false},
	{"dot_string_map", "{{.labels}}", `{"labels": {"b": "2", "a": "1"}}`, false},
	{"dot_root_scalar", "{{.}}", `"just a string"`, false},
	{"nested_field", "{{.nested.a.b.c}}", "", false},
	{"nested_field_chain_on_paren", "{{(.nested.a).b.c}}", "", false},
	{"variable_field_chain", "{{$x := .nested}}{{$x.a.b.c}}", "", false},
	{"field_on_dollar", "{{with .labels}}{{$.vmId}}/{{.VNFC}}{{end}}", "", false},
	{"braces_in_text", "100 - rate(x[5m]) } {", "", false},
	{"single_brace", "a { b } c", "", false},
	// missing keys
	{"missing_label", "[{{.labels.nope}}]", "", false},
	{"missing_top", "[{{.nope}}]", "", false},
	{"missing_nested", "[{{.nope.deeper}}]", "", false},
	{"missing_label_strict", "[{{.labels.nope}}]", "", true},
	{"missing_top_strict", "[{{.nope}}]", "", true},
	{"present_label_strict", "{{.labels.VNFC}}", "", true},
	{"missing_label_default", `{{.labels.nope | default "n/a"}}`, "", false},
	{"missing_label_default_strict", `{{.labels.nope | default "n/a"}}`, "", true},
	{"missing_in_if", "{{if .labels.nope}}yes{{else}}no{{end}}", "", false},
	{"missing_index", `[{{index .labels "nope"}}]`, "", false},
	{"missing_index_iface_map", `[{{index .m "nope"}}]`, "", false},
	{"missing_index_strict", `[{{index .labels "nope"}}]`, "", true},
	{"field_of_string", "{{.s.x}}", "", false},
	{"field_of_nil", "{{.nil.x}}", "", false},
	{"nil_value", "{{.nil}}", "", false},
	{"field_of_number", "{{.i.x}}", "", false},
	{"missing_label_len", "{{len .labels.nope}}", "", false},
	{"missing_eq", `{{eq .labels.nope "x"}}`, "", false},
	// whitespace trimming and comments
	{"trim_left", "a  \n {{- .vmId}}", "", false},
	{"trim_right", "{{.vmId -}}  \n\t b", "", false},
	{"trim_both", "a \n {{- .vmId -}} \n b", "", false},
	{"trim_comment", "a {{- /* c */ -}} b", "", false},
	{"comment", "x{{/* a comment */}}y", "", false},
	{"comment_multiline", "x{{/* line1\nline2 */}}y", "", false},
	{"not_trim_marker", "{{-3}}", "", false},
	{"trim_only_spaces", "a\r\n\t {{- \"b\" -}} \r\n\tc", "", false},
	{"trim_in_range", "{{range .strs -}}\n  {{.}}\n{{- end}}", "", false},
	{"trim_if_lines", "start\n{{- if .t}}\nyes\n{{- end}}\nend", "", false},
	// literals
	{"string_literal", `{{"hello"}}`, "", false},
	{"raw_string", "{{`raw\\n`}}", "", false},
	{"escape_string", `{{"tab\there\u00e9\x41"}}`, "", false},
	{"int_literal", "{{42}}", "", false},
	{"neg_int", "{{-42}}", "", false},
	{"hex_int", "{{0x1F}}", "", false},
	{"float_literal", "{{1.5}}", "", false},
	{"float_exp", "{{1e3}}", "", false},
	{"char_literal", "{{'a'}}", "", false},
	{"bool_literal", "{{true}} {{false}}", "", false},
	{"nil_literal_command", "{{nil}}", "", false},
	// printing values of each type
	{"print_int", "{{.i}} {{.big}} {{.neg}} {{.n}}", "", false},
	{"print_float", "{{.f}} {{.fz}} {{.fbig}} {{.fsmall}} {{.fint}} {{.fm}} {{.ffrac}}", "", false},
	{"print_bool", "{{.t}} {{.no}}", "", false},
	{"print_list", "{{.list}} {{.strs}} {{.el}}", "", false},
	{"print_mix_list", "{{.mix}}", "", false},
	{"print_map", "{{.m}} {{.sm}} {{.em}}", "", false},
	{"print_nested", "{{.nested}}", "", false},
	// pipelines and variables
	{"pipeline_lower", "{{.labels.mixed | lower}}", "", false},
	{"pipeline_chain", `{{.labels.mixed | lower | replace " " "-"}}`, "", false},
	{"pipeline_paren", `{{printf "%s-%s" (.labels.VNFC | upper) .vmId}}`, "", false},
	{"variable_decl", "{{$v := .labels.VNFC}}{{$v}}", "", false},
	{"variable_assign", `{{$v := "a"}}{{$v = "b"}}{{$v}}`, "", false},
	{"variable_decl_prints_nothing", `[{{$v := "x"}}]`, "", false},
	{"variable_dollar", "{{$}}", `{"a": 1}`, false},
	{"variable_in_pipeline", `{{$p := "x"}}{{.vmId | printf "%s-%s" $p}}`, "", false},
	{"variable_scope_if", `{{$v := "out"}}{{if true}}{{$v := "in"}}{{$v}}{{end}}{{$v}}`, "", false},
	{"variable_assign_in_if", `{{$v := "out"}}{{if true}}{{$v = "in"}}{{end}}{{$v}}`, "", false},
	{"undefined_variable", "{{$nope}}", "", false},
	{"paren_pipeline", `{{(printf "%d" 3)}}`, "", false},
	{"dot_in_pipeline", `{{"x" | printf "%s%s" .vmId}}`, "", false},
	// if / else if / else / with / range
	{"if_true", "{{if .t}}yes{{end}}", "", false},
	{"if_false", "{{if .no}}yes{{else}}no{{end}}", "", false},
	{"if_else_if", `{{if eq .labels.cpu "1"}}one{{else if eq .labels.cpu "3"}}three{{else}}other{{end}}`, "", false},
	{"if_else_if_chain_last", `{{if .no}}a{{else if .n}}b{{else if .es}}c{{else}}d{{end}}`, "", false},
	{"if_truthiness", "{{if .n}}a{{end}}{{if .i}}b{{end}}{{if .fz}}c{{end}}{{if .f}}d{{end}}{{if .es}}e{{end}}{{if .s}}f{{end}}{{if .el}}g{{end}}{{if .list}}h{{end}}{{if .em}}i{{end}}{{if .m}}j{{end}}{{if .nil}}k{{end}}", "", false},
	{"if_missing_strict", "{{if .labels.nope}}yes{{else}}no{{end}}", "", true},
	{"if_with_variable", `{{if $x := .labels.cpu}}{{$x}}{{end}}`, "", false},
	{"with_value", "{{with .labels.VNFC}}vm={{.}}{{end}}", "", false},
	{"with_empty", "{{with .labels.empty}}x{{else}}empty{{end}}", "", false},
	{"with_missing", "{{with .labels.nope}}x{{else}}none{{end}}", "", false},
	{"with_variable", "{{with $l := .labels}}{{$l.cpu}}{{end}}", "", false},
	{"range_list", "{{range .list}}[{{.}}]{{end}}", "", false},
	{"range_list_index", "{{range $i, $v := .strs}}{{$i}}={{$v}} {{end}}", "", false},
	{"range_list_one_var", "{{range $v := .strs}}{{$v}}{{end}}", "", false},
	{"range_map_sorted", "{{range $k, $v := .m}}{{$k}}:{{$v}} {{end}}", "", false},
	{"range_string_map", "{{range $k, $v := .labels}}{{$k}}={{$v}};{{end}}", `{"labels": {"z": "1", "b": "2", "a": "3"}}`, false},
	{"range_map_values", "{{range .m}}{{.}}{{end}}", "", false},
	{"range_empty_else", "{{range .el}}x{{else}}empty{{end}}", "", false},
	{"range_empty_map_else", "{{range .em}}x{{else}}empty{{end}}", "", false},
	{"range_nil", "{{range .nil}}x{{else}}nil{{end}}", "", false},
	{"range_missing", "{{range .nope}}x{{else}}missing{{end}}", "", false},
	{"range_nested_dollar", "{{range .strs}}{{.}}@{{$.vmId}} {{end}}", "", false},
	{"range_objects", "{{range .nested.l}}{{.k}}{{end}}", "", false},
	{"range_int_error", "{{range .i}}x{{end}}", "", false},
	{"range_string_error", "{{range .s}}x{{end}}", "", false},
	{"range_split", `{{range splitList "," .labels.csv}}<{{.}}>{{end}}`, "", false},
	{"range_break_continue", "{{range .list}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}", "", false},
	// and / or / not
	{"and_values", `{{and 1 "x" .vmId}}`, "", false},
	{"and_falsy", `{{and 1 0 "x"}}`, "", false},
	{"or_values", `{{or .labels.empty .es "fallback"}}`, "", false},
	{"or_first", `{{or .vmId "fallback"}}`, "", false},
	{"not", "{{not .t}} {{not .no}} {{not .es}} {{not .list}}", "", false},
	{"and_short_circuit", `{{and .no (index .list 10)}}`, "", false},
	{"or_short_circuit", `{{or .t (index .list 10)}}`, "", false},
	{"if_and_or", `{{if and (eq .labels.job "node") (or .no .t)}}ok{{end}}`, "", false},
	// comparisons
	{"eq_strings", `{{eq .labels.job "node"}} {{eq .labels.job "x"}}`, "", false},
	{"eq_multi", `{{eq .labels.cpu "1" "2" "3"}} {{eq .labels.cpu "1" "2"}}`, "", false},
	{"eq_ints", "{{eq .i 7}} {{eq .interval 300}}", "", false},
	{"eq_int_float_error", "{{eq .i 7.0}}", "", false},
	{"eq_string_int_error", `{{eq .labels.num 42}}`, "", false},
	{"eq_bools", "{{eq .t true}} {{eq .no true}}", "", false},
	{"eq_floats", "{{eq .f 2.5}}", "", false},
	{"eq_nil", "{{eq .nil .nil}}", "", false},
	{"eq_list_error", "{{eq .list .list}}", "", false},
	{"ne", `{{ne .labels.job "node"}} {{ne .i 8}}`, "", false},
	{"lt_le_gt_ge_ints", "{{lt .i 8}} {{le .i 7}} {{gt .i 7}} {{ge .i 7}}", "", false},
	{"lt_strings", `{{lt "a" "b"}} {{gt "a" "b"}}`, "", false},
	{"lt_floats", "{{lt .f 3.0}} {{gt .f 3.0}}", "", false},
	{"lt_int_float_error", "{{lt .i 7.5}}", "", false},
	{"lt_bool_error", "{{lt .t .no}}", "", false},
	{"eq_missing_arg", "{{eq .i}}", "", false},
	{"compare_atoi", `{{if gt (atoi .labels.num) 40}}big{{end}}`, "", false},
	// len / index
	{"len", "{{len .list}} {{len .s}} {{len .m}} {{len .labels.utf}} {{len .el}}", "", false},
	{"len_int_error", "{{len .i}}", "", false},
	{"index_list", "{{index .list 1}} {{index .strs 0}}", "", false},
	{"index_map", `{{index .labels "VNFC"}} {{index .m "z"}}`, "", false},
	{"index_nested", `{{index .nested "a" "b" "c"}}`, "", false},
	{"index_out_of_range", "{{index .list 5}}", "", false},
	{"index_string", "{{index .s 1}}", "", false},
	{"index_no_keys", "{{index .list}}", "", false},
	{"index_variable", `{{$k := "cpu"}}{{index .labels $k}}`, "", false},
	{"index_label_with_dash", `{{index .labels "no-such-dash"}}`, `{"labels": {"no-such-dash": "ok"}}`, false},
	// print / printf / println
	{"print", `{{print "a" "b"}} {{print 1 2}} {{print "a" 1 "b"}} {{print 1 "a" 2}}`, "", false},
	{"print_values", "{{print .list .t .nil}}", "", false},
	{"println", `{{println "a" 1}}`, "", false},
	{"printf_s", `{{printf "%s" .vmId}}`, "", false},
	{"printf_d", `{{printf "%d" .i}} {{printf "%d" .neg}}`, "", false},
	{"printf_v", `{{printf "%v %v %v %v" .i .f .s .t}}`, "", false},
	{"printf_v_list_map", `{{printf "%v %v" .strs .sm}}`, "", false},
	{"printf_q", `{{printf "%q" .labels.quote}} {{printf "%q" .labels.utf}}`, "", false},
	{"printf_f", `{{printf "%f" .f}} {{printf "%.2f" .f}} {{printf "%.0f" .f}} {{printf "%.3f" .fsmall}}`, "", false},
	{"printf_f_int_error", `{{printf "%f" .i}}`, "", false},
	{"printf_x", `{{printf "%x" .i}} {{printf "%X" 255}} {{printf "%x" "hi"}} {{printf "%08x" 3054}}`, "", false},
	{"printf_width", `[{{printf "%5s" "ab"}}] [{{printf "%-5s" "ab"}}] [{{printf "%5d" 42}}] [{{printf "%-5d|" 42}}] [{{printf "%05d" 42}}]`, "", false},
	{"printf_float_width", `[{{printf "%8.3f" .f}}] [{{printf "%-8.1f" .f}}] [{{printf "%08.2f" -2.5}}] [{{printf "%+.1e" .f}}]`, "", false},
	{"printf_percent", `{{printf "100%%"}}`, "", false},
	{"printf_plus", `{{printf "%+d %+d" 5 -5}}`, "", false},
	{"printf_wrong_type", `{{printf "%d" .s}}`, "", false},
	{"printf_missing_arg", `{{printf "%s %s" "a"}}`, "", false},
	{"printf_extra_arg", `{{printf "%s" "a" "b"}}`, "", false},
	{"printf_g_e", `{{printf "%g %e" .f .fm}}`, "", false},
	{"printf_t", `{{printf "%t" .t}}`, "", false},
	{"printf_s_int", `{{printf "%s" .i}}`, "", false},
	{"printf_v_nil", `{{printf "%v" .nil}}`, "", false},
	{"printf_precision_s", `{{printf "%.3s" "abcdef"}}`, "", false},
	{"printf_c", `{{printf "%c" 65}}`, "", false},
	{"printf_unknown_verb", `{{printf "%z" 1}}`, "", false},
	{"printf_pipeline_last_arg", `{{.labels.VNFC | printf "vm:%s"}}`, "", false},
	// sprig: default, case, trim
	{"default_empty", `{{.labels.empty | default "none"}}`, "", false},
	{"default_set", `{{.labels.VNFC | default "none"}}`, "", false},
	{"default_zero_int", `{{.n | default 5}} {{.i | default 5}}`, "", false},
	{"default_call_form", `{{default "d" .labels.empty}} {{default "d" .labels.cpu}}`, "", false},
	{"default_no_given", `{{default "d"}}`, "", false},
	{"default_nil", `{{.nil | default "d"}}`, "", false},
	{"default_list", `{{.el | default "d"}} {{.list | default "d"}}`, "", false},
	{"lower_upper", "{{lower .labels.mixed}} {{upper .labels.mixed}}", "", false},
	{"title", `{{title "hello wORLD foo-bar x_y"}}`, "", false},
	{"lower_utf", "{{upper .labels.utf}}", "", false},
	{"trim", "[{{trim .labels.padded}}]", "", false},
	{"trim_prefix_suffix", `{{trimPrefix "/dev/" .labels.path}} {{trimSuffix ":9100" .labels.instance}} {{trimPrefix "x" "abc"}}`, "", false},
	{"trim_all", `{{trimAll "-" "--a-b--"}} {{trimAll "ab" "abcba"}}`, "", false},
	{"replace", `{{replace "-" "_" "a-b-c"}} {{replace "" "." "ab"}}`, "", false},
	{"nospace", `{{nospace " a b\tc\n"}}`, "", false},
	{"repeat", `{{repeat 3 "ab"}} [{{repeat 0 "x"}}]`, "", false},
	{"substr", `{{substr 0 3 "abcdef"}} {{substr 2 99 "abcdef"}} {{substr 1 -1 "abcdef"}}`, "", false},
	{"contains_prefix_suffix", `{{contains "ope" .vmId}} {{hasPrefix "lr-" .vmId}} {{hasSuffix "-1" .vmId}}`, "", false},
	{"contains_in_if", `{{if contains "eth" .labels.device}}nic{{end}}`, "", false},
	{"lower_int_error", "{{lower .i}}", "", false},
	{"lower_missing", "[{{lower .labels.nope}}]", "", false},
	// sprig: regex
	{"regex_replace_all", `{{regexReplaceAll "[0-9]+" .labels.instance "N"}}`, "", false},
	{"regex_replace_groups", `{{regexReplaceAll "(\\w+):(\\d+)" .labels.instance "${2}@${1}"}}`, "", false},
	{"regex_replace_dollar_name", `{{regexReplaceAll "(?P<host>[a-z-]+)[0-9]" "node-1" "$host"}}`, "", false},
	{"regex_replace_dollar_word", `{{regexReplaceAll "(a)" "abc" "$1x"}}`, "", false},
	{"regex_replace_literal_dollar", `{{regexReplaceAll "b" "abc" "$$"}}`, "", false},
	{"regex_replace_pipeline", `{{.labels.instance | regexReplaceAll ":[0-9]+$" "" | upper}}`, "", false},
	{"regex_find", `{{regexFind "[0-9]+" .labels.instance}} [{{regexFind "z+" "abc"}}]`, "", false},
	{"regex_find_anchor", `{{regexFind "^[a-z]+" .labels.instance}}`, "", false},
	{"regex_bad_pattern", `{{regexFind "(" "x"}}`, "", false},
	{"regex_case_insensitive", `{{regexReplaceAll "(?i)NODE" .labels.instance "host"}}`, "", false},
	{"regex_empty_matches", `{{regexReplaceAll "x*" "abc" "-"}}`, "", false},
	{"regex_utf", `{{regexReplaceAll "ö" .labels.utf "o"}}`, "", false},
	// sprig: split, join, quote, toString, numbers
	{"split_index", `{{$p := split ":" .labels.instance}}{{$p._0}} {{$p._1}}`, "", false},
	{"split_print", `{{split "," .labels.csv}}`, "", false},
	{"split_missing_part", `{{$p := split ":" "a"}}[{{$p._1}}]`, "", false},
	{"split_list", `{{splitList "," .labels.csv}} {{len (splitList "," .labels.csv)}}`, "", false},
	{"split_list_index", `{{index (splitList ":" .labels.instance) 1}}`, "", false},
	{"join", `{{join "-" .strs}} {{join "," .list}} {{join "," .mix}} [{{join "," .el}}]`, "", false},
	{"join_split", `{{splitList "," .labels.csv | join "+"}}`, "", false},
	{"join_string", `{{join "," "abc"}}`, "", false},
	{"quote", `{{quote .vmId}} {{quote .labels.quote}} {{quote .i}} {{quote "a" "b"}}`, "", false},
	{"quote_nil", `[{{quote .nil}}]`, "", false},
	{"to_string", `{{toString .i}} {{toString .f}} {{toString .t}} {{toString .strs}} {{toString .nil}}`, "", false},
	{"to_string_len", `{{len (toString .big)}}`, "", false},
	{"atoi", `{{atoi .labels.num}} {{atoi .labels.neg}} {{atoi "x"}} {{atoi .labels.fnum}} {{atoi " 1"}} {{atoi "+5"}}`, "", false},
	{"atoi_arith_compare", `{{if lt (atoi .labels.zero) 1}}zero{{end}}`, "", false},
	{"int", `{{int .labels.num}} {{int .labels.hex}} {{int .f}} {{int .labels.fnum}} {{int .labels.ten}} {{int .t}} {{int .nil}} {{int "010"}} {{int "x"}}`, "", false},
	{"int_neg_float", `{{int -2.7}} {{int .neg}}`, "", false},
	{"float64", `{{float64 .labels.fnum}} {{float64 .i}} {{float64 "x"}} {{float64 .labels.num}} {{float64 .t}} {{float64 "1e3"}}`, "", false},
	{"float64_printf", `{{printf "%.1f" (float64 .labels.fnum)}}`, "", false},
	{"int_eq", `{{eq (int .labels.num) 42}}`, "", false},
	// VESPA-style rule templates
	{"vespa_target", "{{.labels.VESField}}", "", true},
	{"vespa_vm_from_instance", `{{.labels.instance | splitList ":" | first}}`, "", false},
	{"vespa_vm_trim_port", `{{ regexReplaceAll ":.*" .labels.instance "" }}`, "", true},
	{"vespa_disk", `{{ .labels.path | trimPrefix "/dev/" | upper }}`, "", false},
	{"vespa_fs_default", `{{ .labels.mountpoint | default "/" }}`, "", false},
	{"vespa_conditional_target", `{{if hasPrefix "eth" .labels.device}}VNICPerformanceArray.ReceivedOctetsDelta{{else}}AdditionalObjects{{end}}`, "", true},
	{"vespa_expr_interval", `rate(node_cpu_seconds_total[{{ .interval }}s])`, `{"interval": 60}`, true},
	{"vespa_expr_printf", `avg_over_time(x[{{ printf "%dm" (div .interval 60) }}])`, `{"interval": 300}`, true},
	{"vespa_key_quote", `{{.labels.cpu | quote}}`, "", false},
	// more literals, formatting and Sprig
	{"newline_in_action", "{{.vmId\n}}", "", false},
	{"crlf_trim", "a\r\n{{- .vmId -}}\r\nb", "", false},
	{"number_forms", "{{0b101}} {{0o17}} {{017}} {{-0x10}} {{1_000}} {{.5}} {{+3}} {{1.5e-3}} {{1e100}}", "", false},
	{"char_escapes", `{{'\n'}} {{'\x41'}} {{'é'}} {{"\u263a"}}`, "", false},
	{"print_floats_more", "{{.a}} {{.b}} {{.c}} {{.d}} {{.e}}", `{"a": 123456789.0, "b": 1e-5, "c": -0.0, "d": 123456.5, "e": 1.0e20}`, false},
	{"print_big_ints", "{{.a}} {{.b}}", `{"a": 9007199254740993, "b": -9223372036854775808}`, false},
	{"printf_more_ints", `{{printf "%o %b %x % d %+5d" 8 5 -255 7 3}}`, "", false},
	{"printf_types", `{{printf "%T %T %T %T %T %T %T" .i .f .s .labels .list .nil (add 1 2)}}`, "", false},
	{"printf_c_unicode", `{{printf "%c" 9786}}`, "", false},
	{"printf_q_int", `{{printf "%q" 65}}`, "", false},
	{"printf_float_more", `{{printf "%08.3f|%6.2f%%|%+v|%.1e|%g" 3.14159 .f .f 12345.678 100000000.0}}`, "", false},
	{"printf_string_pad", `[{{printf "%-8q" "a"}}] [{{printf "%05s" "ab"}}] [{{printf "%.2s" "héllo"}}] [{{printf "%6v" .t}}]`, "", false},
	{"printf_v_nested", `{{printf "%v" .nested}}`, "", false},
	{"printf_d_list", `{{printf "%d" .list}} {{printf "%s" .strs}} {{printf "%s" .list}}`, "", false},
	{"printf_trailing_percent", `{{printf "abc%"}}`, "", false},
	{"len_utf8", `{{len "héllo"}}`, "", false},
	{"index_then_pipe", `{{index .labels "VNFC" | upper}}`, "", false},
	{"pipe_into_printf_with_args", `{{"a" | printf "%s %s" "b"}}`, "", false},
	{"var_if_eq", `{{$x := 1}}{{if eq $x 1}}one{{end}}`, "", false},
	{"range_index_objects", "{{range $i, $e := .nested.l}}{{$i}}{{$e.k}}{{end}}", "", false},
	{"range_break", "{{range $k, $v := .m}}{{$k}}{{break}}{{end}}", "", false},
	{"range_else_if", "{{range .el}}x{{else if .t}}else-if{{end}}", "", false},
	{"with_var_out_of_scope", `{{with $x := "a"}}{{$x}}{{end}}{{$x}}`, "", false},
	{"else_with_unsupported", "{{with .no}}a{{else with .t}}b{{end}}", "", false},
	{"range_variable_over_map", "{{$m := .sm}}{{range $k, $v := $m}}{{$k}}{{$v}}{{end}}", "", false},
	{"dollar_in_range", "{{range .list}}{{$.vmId}}{{end}}", "", false},
	{"repeat_lower", `{{"ABC" | lower | repeat 2}}`, "", false},
	{"trunc", `{{trunc 3 "abcdef"}} {{trunc -2 "abcdef"}} {{trunc 10 "ab"}}`, "", false},
	{"empty_coalesce", `{{empty .es}} {{empty .s}} {{empty .nope}} {{coalesce .es .n "x"}} {{coalesce .es .n}}`, "", false},
	{"arith", `{{add 1 2 3}} {{sub 5 .i}} {{mul 2 "3"}} {{div 7 2}} {{mod 7 3}} {{add1 .i}} {{int64 "12"}} {{div .interval 60}}`, "", false},
	{"div_by_zero", `{{div 1 0}}`, "", false},
	{"int64_to_int_param", `{{repeat (add 1 1) "x"}}`, "", false},
	{"int_to_int_param", `{{repeat (int "2") "x"}}`, "", false},
	{"first_last", `{{first .strs}} {{last .list}} [{{first .el}}] {{first (splitList ":" .labels.instance)}}`, "", false},
	{"first_of_string", `{{first .s}}`, "", false},
	{"regex_match", `{{regexMatch "^lr-" .vmId}} {{regexMatch "^x" .vmId}}`, "", false},
	{"regex_replace_literal", `{{regexReplaceAllLiteral "o" "foo" "$1"}}`, "", false},
	{"squote", `{{squote .vmId .i}}`, "", false},
	{"split_map_ops", `{{index (split ":" "a:b") "_1"}} {{len (split ":" "a:b:c")}} {{toString (splitList "," "a,b")}}`, "", false},
	{"unicode_case", `{{lower "ÉCOLE"}} {{upper "straße"}} {{title "élan vital"}} {{upper "ǆ"}}`, "", false},
	{"trim_unicode_space", "[{{trim \"\u00a0 x \u3000\"}}] [{{nospace \"a\u00a0b\"}}]", "", false},
	{"trim_all_unicode", `{{trimAll "é" "ééxéé"}}`, "", false},
	{"and_or_missing", "[{{and .nope 1}}] [{{or .nope .nope2}}]", "", false},
	{"not_missing", "{{not .nope}}", "", false},
	{"eq_missing_nil", "{{eq .nope .nil}} {{eq .nil 1}}", "", false},
	{"lt_missing", "{{lt .nope 1}}", "", false},
	{"index_nil", "{{index .nil 1}}", "", false},
	{"index_map_int_key", "{{index .m 1}}", "", false},
	{"index_negative", "{{index .list -1}}", "", false},
	{"printf_missing_value", "{{printf \"%s|%v|%d\" .nope .nope .nope}}", "", false},
	{"print_missing", "{{print .nope}} {{println .nope}}", "", false},
	{"quote_missing", "[{{quote .nope}}] [{{toString .nope}}]", "", false},
	{"default_missing_strict_ok", `{{default "d" .labels.empty}}`, "", true},
	{"dot_field_after_paren_missing", "[{{(.nope).x}}]", "", false},
	{"variable_field_missing_strict", "{{$l := .labels}}{{$l.nope}}", "", true},
	{"field_chain_on_function_error", "{{lower.x}}", "", false},
	{"bad_char", "{{.x ^ .y}}", "", false},
	{"assign_undefined", `{{$x = 1}}`, "", false},
	{"decl_then_pipeline", `{{$x := .labels.cpu | printf "cpu%s"}}{{$x}}`, "", false},
	{"keyword_as_field", "{{.labels.if}}", `{"labels": {"if": "kw"}}`, false},
	{"dash_field", "{{.labels.a-b}}", `{"labels": {"a-b": "x"}}`, false},
	{"numeric_field", "{{.labels.0}}", `{"labels": {"0": "zero"}}`, false},
	// parse errors
	{"err_unclosed_action", "{{.labels.x", "", false},
	{"err_unclosed_if", "{{if .t}}x", "", false},
	{"err_unexpected_end", "x{{end}}", "", false},
	{"err_unexpected_else", "{{else}}", "", false},
	{"err_unknown_function", "{{nosuchfunc .x}}", "", false},
	{"err_empty_action", "{{}}", "", false},
	{"err_unterminated_string", `{{"abc}}`, "", false},
	{"err_unclosed_paren", "{{(.x}}", "", false},
	{"err_bad_number", "{{1x}}", "", false},
	{"err_undefined_var", "{{$x}}", "", false},
	{"err_unclosed_comment", "{{/* x }}", "", false},
	{"err_comment_no_close_braces", "{{/* x */ .y}}", "", false},
	{"err_pipe_to_nonfunc", "{{.x | .y}}", "", false},
	{"err_if_no_arg", "{{if}}x{{end}}", "", false},
	{"err_else_after_else", "{{if .t}}a{{else}}b{{else}}c{{end}}", "", false},
	{"err_range_too_many_vars", "{{range $a, $b, $c := .list}}{{end}}", "", false},
	{"err_continue_outside", "{{continue}}", "", false},
	{"err_nil_arg", "{{lower nil}}", "", false},
	// exec errors
	{"exec_wrong_arg_count", `{{lower "a" "b"}}`, "", false},
	{"exec_wrong_arg_count_low", `{{replace "a" "b"}}`, "", false},
	{"exec_arg_type", `{{trimPrefix 1 "abc"}}`, "", false},
	{"exec_repeat_string_count", `{{repeat "3" "ab"}}`, "", false},
	{"exec_field_on_list", `{{.list.x}}`, "", false},
	{"exec_call_non_func", `{{.vmId "arg"}}`, "", false},
	{"exec_substr_out_of_range", `{{substr 5 2 "abcdef"}}`, "", false},
}

// toGo turns decoded JSON into the Go types VESPA's data has: objects whose values are all strings are
// map[string]string (Prometheus labels), other objects map[string]interface{}, arrays []interface{},
// whole numbers int, other numbers float64.
func toGo(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		allStrings := len(x) > 0
		for _, e := range x {
			if _, ok := e.(string); !ok {
				allStrings = false
			}
		}
		if allStrings {
			m := make(map[string]string, len(x))
			for k, e := range x {
				m[k] = e.(string)
			}
			return m
		}
		m := make(map[string]interface{}, len(x))
		for k, e := range x {
			m[k] = toGo(e)
		}
		return m
	case []interface{}:
		l := make([]interface{}, len(x))
		for i, e := range x {
			l[i] = toGo(e)
		}
		return l
	case json.Number:
		if i, err := x.Int64(); err == nil && !strings.ContainsAny(string(x), ".eE") {
			return int(i)
		}
		f, err := x.Float64()
		if err != nil {
			panic(err)
		}
		return f
	default:
		return v
	}
}

func decode(data string) interface{} {
	dec := json.NewDecoder(strings.NewReader(data))
	dec.UseNumber()
	var v interface{}
	if err := dec.Decode(&v); err != nil {
		panic(fmt.Sprintf("bad case data %q: %v", data, err))
	}
	return toGo(v)
}

func run(c Case) Result {
	data := c.Data
	if data == "" {
		data = defaultData
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(data)); err != nil {
		panic(err)
	}
	r := Result{Name: c.Name, Template: c.Tmpl, Data: compact.Bytes(), Strict: c.Strict}
	t, err := template.New(c.Name).Funcs(sprig.TxtFuncMap()).Parse(c.Tmpl)
	if err != nil {
		r.Error, r.GoError = "parse", err.Error()
		return r
	}
	if c.Strict {
		t.Option("missingkey=error")
	}
	var out bytes.Buffer
	if err := t.Execute(&out, decode(data)); err != nil {
		r.Error, r.GoError = "exec", err.Error()
		return r
	}
	s := out.String()
	r.Output = &s
	return r
}

func main() {
	seen := map[string]bool{}
	results := make([]Result, 0, len(cases))
	for _, c := range cases {
		if seen[c.Name] {
			panic("duplicate case name " + c.Name)
		}
		seen[c.Name] = true
		results = append(results, run(c))
	}
	// One case per line: the file stays readable and its diffs small.
	out := []byte("[\n")
	for i, r := range results {
		line, err := json.Marshal(r)
		if err != nil {
			panic(err)
		}
		out = append(out, line...)
		if i < len(results)-1 {
			out = append(out, ',')
		}
		out = append(out, '\n')
	}
	out = append(out, "]\n"...)
	path := "cases.json"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		panic(err)
	}
	fmt.Fprintf(os.Stderr, "%d cases written to %s\n", len(results), path)
}
