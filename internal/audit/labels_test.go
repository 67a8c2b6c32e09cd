package audit_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Every action code the Go code writes to the audit log has a label in the
// console's en and pt-BR locales (AUDIT.ACTIONS.<CODE>, the key
// web/src/lib/auditNames.ts looks up), so a new action cannot ship as a raw
// code. The codes are found in the sources, not listed by hand: an
// audit.Entry's Action, and the action argument of every helper that passes
// its own `action` parameter on to one (s.audit, iam's Entry, ops' Entry…),
// found transitively. An action the scan cannot read as a string literal
// (or a variable assigned only literals) fails the test, so the scan cannot
// silently miss one either.
func TestEveryAuditActionHasALabel(t *testing.T) {
	root := filepath.Join("..", "..")
	codes, problems := auditActions(t, root)
	for _, p := range problems {
		t.Error(p)
	}
	if len(codes) < 50 {
		t.Fatalf("found only %d action codes: the scan no longer sees the audit calls", len(codes))
	}
	for _, locale := range []string{"en", "pt-BR"} {
		labels := actionLabels(t, filepath.Join(root, "web", "src", "locales", locale+".json"))
		for _, code := range codes {
			if strings.TrimSpace(labels[actionKey(code.code)]) == "" {
				t.Errorf("%s: action %q (%s) has no label AUDIT.ACTIONS.%s", locale, code.code, code.at, actionKey(code.code))
			}
		}
	}
}

// The scan itself: it finds literals, variables assigned literals, and
// actions passed through helpers, and it refuses what it cannot read.
func TestAuditActionScanReadsHelpers(t *testing.T) {
	dir := t.TempDir()
	src := `package x

import "github.com/whatpro/hub/internal/audit"

func (s *S) audit(r any, accountID, action, id string) error {
	return s.log.Record(nil, nil, audit.Entry{AccountID: accountID, Action: action, ResourceID: id})
}

func (s *S) wrap(action string) error { return s.audit(nil, "a", action, "x") }

func (s *S) use(ok bool, suffix string) {
	_ = s.audit(nil, "a", "thing.created", "1")
	_ = s.wrap("thing.wrapped")
	act := "thing.declined"
	if ok {
		act = "thing.accepted"
	}
	_ = s.audit(nil, "a", act, "1")
	_ = s.audit(nil, "a", "thing."+suffix, "1")
	_ = audit.Entry{Action: "thing.direct"}
	history(nil, "card.moved")
	_ = s.audit(nil, "a", thingAction(suffix), "1")
}

func thingAction(reason string) string {
	if reason == "gone" {
		return "thing.gone"
	}
	return "thing.kept"
}

func history(x any, action string) {}
`
	if err := os.MkdirAll(filepath.Join(dir, "internal", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "internal", "x", "x.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	codes, problems := auditActions(t, dir)
	var got []string
	for _, c := range codes {
		got = append(got, c.code)
	}
	want := []string{"thing.accepted", "thing.created", "thing.declined", "thing.direct", "thing.gone", "thing.kept", "thing.wrapped"}
	if !slices.Equal(got, want) {
		t.Errorf("codes = %v, want %v", got, want)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "x.go:19") {
		t.Errorf("problems = %v, want one at x.go:19 (the concatenation)", problems)
	}
}

type actionCode struct{ code, at string }

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

func actionKey(code string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, code)
}

func actionLabels(t *testing.T, path string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		AUDIT struct {
			ACTIONS map[string]string
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc.AUDIT.ACTIONS
}

// fn is a function body, or a func-typed field. A helper is one that takes
// a string parameter named action (idx) whose value reaches an audit entry.
type fn struct {
	pkg, name  string
	arity, idx int // parameter count, index of action (-1: none)
	params     map[string]bool
	body       *ast.BlockStmt // nil for a field
	parent     *fn            // the function a literal is written in
	audits     bool           // its action reaches an audit entry
	file       *ast.File
}

// root is the outermost function around f: where its variables are assigned.
func (f *fn) root() *fn {
	for f.parent != nil {
		f = f.parent
	}
	return f
}

// owner is the nearest function around f (f included) with a parameter name.
func (f *fn) owner(name string) *fn {
	for ; f != nil; f = f.parent {
		if f.params[name] {
			return f
		}
	}
	return nil
}

type scan struct {
	fset  *token.FileSet
	funcs []*fn
}

// auditActions returns the action codes under root/internal and root/cmd,
// sorted and unique, and what it could not read.
func auditActions(t *testing.T, root string) ([]actionCode, []string) {
	t.Helper()
	s := &scan{fset: token.NewFileSet()}
	for _, dir := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return filepath.SkipDir
				}
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(s.fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			s.collect(filepath.Dir(path), f)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	s.propagate()
	found := map[string]string{}
	var problems []string
	for _, f := range s.funcs {
		s.actionArgs(f, func(arg ast.Expr) {
			codes, ok := s.resolve(f, arg)
			at := s.fset.Position(arg.Pos()).String()
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: an audit action that is not a string literal (or a variable assigned literals): the label test cannot check it", at))
			}
			for _, c := range codes {
				if !codePattern.MatchString(c) {
					problems = append(problems, fmt.Sprintf("%s: %q does not look like an action code", at, c))
				} else if _, seen := found[c]; !seen {
					found[c] = at
				}
			}
		})
	}
	out := make([]actionCode, 0, len(found))
	for c, at := range found {
		out = append(out, actionCode{c, at})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return out, problems
}

// actionArgs calls visit with every action f's own body gives an entry or
// a helper (function literals inside it are functions of their own).
func (s *scan) actionArgs(f *fn, visit func(ast.Expr)) {
	if f.body == nil {
		return
	}
	ast.Inspect(f.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CompositeLit:
			if arg := entryAction(n); arg != nil {
				visit(arg)
			}
		case *ast.CallExpr:
			if g := s.callee(f.pkg, n); g != nil {
				visit(n.Args[g.idx])
			}
		}
		return true
	})
}

// entryAction is the Action of an audit.Entry literal, or nil.
func entryAction(c *ast.CompositeLit) ast.Expr {
	sel, ok := c.Type.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Entry" {
		return nil
	}
	if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "audit" {
		return nil
	}
	for _, el := range c.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Action" {
				return kv.Value
			}
		}
	}
	return nil
}

func (s *scan) collect(pkg string, file *ast.File) {
	add := func(name string, ft *ast.FuncType, body *ast.BlockStmt, parent *fn) *fn {
		f := &fn{pkg: pkg, name: name, idx: -1, params: map[string]bool{}, body: body, parent: parent, file: file}
		for _, field := range ft.Params.List {
			typ, _ := field.Type.(*ast.Ident)
			if len(field.Names) == 0 {
				f.arity++
				continue
			}
			for _, n := range field.Names {
				f.params[n.Name] = true
				if n.Name == "action" && typ != nil && typ.Name == "string" {
					f.idx = f.arity
				}
				f.arity++
			}
		}
		// A func-typed field that builds an entry is a helper by its type.
		if body == nil && f.idx >= 0 && ft.Results != nil {
			for _, r := range ft.Results.List {
				if sel, ok := r.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Entry" {
					f.audits = true
				}
			}
		}
		if body != nil || f.audits {
			s.funcs = append(s.funcs, f)
		}
		return f
	}
	var nodes []ast.Node
	var fns []*fn // the function each node on the stack is in
	cur := func() *fn {
		if len(fns) == 0 {
			return nil
		}
		return fns[len(fns)-1]
	}
	ast.Inspect(file, func(n ast.Node) bool {
		if n == nil {
			nodes, fns = nodes[:len(nodes)-1], fns[:len(fns)-1]
			return true
		}
		here := cur()
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Body != nil {
				here = add(n.Name.Name, n.Type, n.Body, nil)
			}
		case *ast.FuncLit:
			here = add(literalName(n, nodes), n.Type, n.Body, here)
		case *ast.StructType:
			for _, field := range n.Fields.List {
				if ft, ok := field.Type.(*ast.FuncType); ok {
					for _, name := range field.Names {
						add(name.Name, ft, nil, nil)
					}
				}
			}
		}
		nodes, fns = append(nodes, n), append(fns, here)
		return true
	})
}

// literalName is the name a function literal is bound to (x := func…, or
// Field: func… in a composite literal), or "".
func literalName(lit *ast.FuncLit, stack []ast.Node) string {
	if len(stack) == 0 {
		return ""
	}
	switch p := stack[len(stack)-1].(type) {
	case *ast.AssignStmt:
		for i, rhs := range p.Rhs {
			if rhs == lit && i < len(p.Lhs) {
				if id, ok := p.Lhs[i].(*ast.Ident); ok {
					return id.Name
				}
			}
		}
	case *ast.KeyValueExpr:
		if id, ok := p.Key.(*ast.Ident); ok && p.Value == lit {
			return id.Name
		}
	}
	return ""
}

// propagate marks the helpers whose action parameter reaches an entry,
// directly or through another helper, until nothing changes.
func (s *scan) propagate() {
	for changed := true; changed; {
		changed = false
		for _, f := range s.funcs {
			s.actionArgs(f, func(arg ast.Expr) {
				id, ok := arg.(*ast.Ident)
				if !ok || id.Name != "action" {
					return
				}
				if o := f.owner("action"); o != nil && o.idx >= 0 && !o.audits {
					o.audits, changed = true, true
				}
			})
		}
	}
}

// callee is the audit helper a call names: by name and arity, preferring
// the caller's own package, else one that agrees everywhere on the index.
func (s *scan) callee(pkg string, c *ast.CallExpr) *fn {
	var name string
	switch f := c.Fun.(type) {
	case *ast.Ident:
		name = f.Name
	case *ast.SelectorExpr:
		name = f.Sel.Name
	default:
		return nil
	}
	var local, other *fn
	for _, g := range s.funcs {
		if !g.audits || g.name != name || g.arity != len(c.Args) {
			continue
		}
		if g.pkg == pkg {
			local = g
		} else if other == nil || other.idx == g.idx {
			other = g
		} else {
			return nil // ambiguous across packages
		}
	}
	if local != nil {
		return local
	}
	return other
}

// resolve reads an action argument: a literal, a helper's own action
// parameter (its callers are scanned instead), a variable or constant
// assigned only literals. ok is false when it cannot.
func (s *scan) resolve(f *fn, e ast.Expr) ([]string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			v, err := strconv.Unquote(e.Value)
			return []string{v}, err == nil
		}
	case *ast.Ident:
		if o := f.owner(e.Name); o != nil {
			// A parameter: a helper's action is read at its callers; any other is opaque.
			return nil, e.Name == "action" && o.audits
		}
		var out []string
		ok := true
		visit := func(lhs []ast.Expr, rhs []ast.Expr) {
			for i, l := range lhs {
				if id, isID := l.(*ast.Ident); isID && id.Name == e.Name {
					if len(rhs) != len(lhs) {
						ok = false
						continue
					}
					if lit, isLit := rhs[i].(*ast.BasicLit); isLit && lit.Kind == token.STRING {
						// "" is "no action yet" (Record refuses an empty one).
						if v, _ := strconv.Unquote(lit.Value); v != "" {
							out = append(out, v)
						}
					} else {
						ok = false
					}
				}
			}
		}
		// Assignments in the outermost function, else constants or variables of the file.
		ast.Inspect(f.root().body, func(n ast.Node) bool {
			if a, isAssign := n.(*ast.AssignStmt); isAssign {
				visit(a.Lhs, a.Rhs)
			}
			if v, isSpec := n.(*ast.ValueSpec); isSpec && len(v.Values) > 0 {
				visit(identExprs(v.Names), v.Values)
			}
			return true
		})
		if len(out) == 0 && ok {
			for _, d := range f.file.Decls {
				if g, isGen := d.(*ast.GenDecl); isGen {
					for _, sp := range g.Specs {
						if v, isSpec := sp.(*ast.ValueSpec); isSpec {
							visit(identExprs(v.Names), v.Values)
						}
					}
				}
			}
		}
		return out, ok && len(out) > 0
	case *ast.CallExpr:
		// A function of the package that returns only literals (a switch from a reason to its action).
		if id, isID := e.Fun.(*ast.Ident); isID {
			return s.literalResults(f.pkg, id.Name)
		}
	}
	return nil, false
}

// literalResults are the string literals a function of pkg returns; ok is
// false unless every return of it is one.
func (s *scan) literalResults(pkg, name string) ([]string, bool) {
	for _, g := range s.funcs {
		if g.pkg != pkg || g.name != name || g.parent != nil || g.body == nil {
			continue
		}
		var out []string
		ok := true
		ast.Inspect(g.body, func(n ast.Node) bool {
			if _, isLit := n.(*ast.FuncLit); isLit {
				return false
			}
			if r, isRet := n.(*ast.ReturnStmt); isRet {
				lit, isBasic := ast.Expr(nil), false
				if len(r.Results) == 1 {
					lit = r.Results[0]
				}
				if b, isB := lit.(*ast.BasicLit); isB && b.Kind == token.STRING {
					v, _ := strconv.Unquote(b.Value)
					out, isBasic = append(out, v), true
				}
				ok = ok && isBasic
			}
			return true
		})
		return out, ok && len(out) > 0
	}
	return nil, false
}

func identExprs(ids []*ast.Ident) []ast.Expr {
	out := make([]ast.Expr, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
