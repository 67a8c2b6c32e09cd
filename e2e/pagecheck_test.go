package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The page check runs in the page and lists what a person would see as broken:
//
//   - overflow: the document scrolls sideways, an element sticks out of the box that clips it
//     (overflow hidden/clip, or the viewport), or, in strict mode (the wide layout), a table
//     or field needs a sideways scroll inside its card (the Kanban columns scroll by design);
//   - wrong language: a visible text or label that is one of the English sentences of the app
//     while the page speaks another language, an error code prefix ("UNPROCESSABLE: …"), a raw
//     Go or driver error, or an English sentence from the server (two or more English-only
//     words such as "the", "must", "is");
//
// Elements marked data-e2e-free (user data such as names the test typed) are skipped.
const pageCheckJS = `((strict, english, free, foreign) => {
  const problems = [];
  const vw = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > vw + 1) problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + vw);
  const visible = (el) => {
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden' || Number(cs.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const describe = (el) => {
    const id = el.closest('[data-testid]')?.dataset.testid;
    return el.tagName.toLowerCase() + (id ? '[' + id + ']' : '') + ' "' + (el.textContent || el.value || '').trim().slice(0, 40) + '"';
  };
  const clipOf = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox !== 'visible') return { el: p, scrolls: ox === 'auto' || ox === 'scroll' };
    }
    return null;
  };
  const leaves = document.body.querySelectorAll('button, a, input, select, textarea, td, th, label, h1, h2, h3, p, span, img, svg, code, pre');
  for (const el of leaves) {
    if (!visible(el) || el.closest('[data-e2e-free]') || el.closest('.sr-only')) continue;
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1 || r.left < -1) {
      const clip = clipOf(el);
      if (!clip || !clip.scrolls) { problems.push('outside the window: ' + describe(el)); continue; }
    }
    const clip = clipOf(el);
    if (clip && !clip.scrolls && clip.el !== document.documentElement) {
      const cr = clip.el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      const ellipsis = cs.textOverflow === 'ellipsis' || getComputedStyle(clip.el).textOverflow === 'ellipsis';
      if (!ellipsis && (r.right > cr.right + 1 || r.left < cr.left - 1) && cr.width > 0) problems.push('clipped: ' + describe(el));
    }
  }
  if (strict) {
    for (const el of document.body.querySelectorAll('*')) {
      const ox = getComputedStyle(el).overflowX;
      if ((ox === 'auto' || ox === 'scroll') && el.scrollWidth > el.clientWidth + 1 && visible(el) && !el.closest('[data-e2e-scrolls], [data-testid="kanban-columns"]')) {
        problems.push('needs a sideways scroll at this width: ' + describe(el) + ' (' + el.scrollWidth + ' > ' + el.clientWidth + ')');
      }
    }
  }
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    const s = n.textContent.replace(/\s+/g, ' ').trim();
    if (free.includes(s)) continue;
    if (!s || !el || el.closest('script, style, [data-e2e-free], .sr-only') || !visible(el)) continue;
    texts.push([s, el]);
  }
  for (const el of document.body.querySelectorAll('[title], [placeholder], [aria-label]')) {
    if (el.closest('[data-e2e-free]')) continue;
    for (const a of ['title', 'placeholder', 'aria-label']) {
      const v = el.getAttribute(a);
      if (v && v.trim()) texts.push([v.trim(), el]);
    }
  }
  const englishOnly = /\b(the|is|are|must|cannot|should|with|this|your|been|not|has|have|was|of|an|and|to)\b/gi;
  const patterns = english.map((p) => new RegExp('^' + p + '$'));
  for (const [s, el] of texts) {
    if (/\b[A-Z]{3,}(_[A-Z]+)*: /.test(s)) problems.push('an error code on screen: ' + describe(el) + ' ' + JSON.stringify(s));
    if (/dial tcp|connection refused|no such host|sql: |SQLSTATE|UNIQUE constraint|context deadline|i\/o timeout/.test(s)) problems.push('a raw error on screen: ' + JSON.stringify(s));
    if (patterns.some((p) => p.test(s))) { problems.push('English on screen: ' + describe(el) + ' ' + JSON.stringify(s)); continue; }
    const words = new Set((s.match(englishOnly) || []).map((w) => w.toLowerCase()));
    if (foreign && words.size >= 2) problems.push('an English sentence on screen: ' + describe(el) + ' ' + JSON.stringify(s));
  }
  return [...new Set(problems)];
})`

var (
	englishOnce     sync.Once
	englishPatterns []string
	englishErr      error
)

// englishSentences are the app's English texts that its Portuguese translation says
// differently, as anchored regular expressions (a {placeholder} matches anything).
func englishSentences(t *testing.T) []string {
	t.Helper()
	englishOnce.Do(func() {
		en, err := flatLocale(filepath.Join(repoRoot, "web", "src", "locales", "en.json"))
		if err != nil {
			englishErr = err
			return
		}
		pt, err := flatLocale(filepath.Join(repoRoot, "web", "src", "locales", "pt-BR.json"))
		if err != nil {
			englishErr = err
			return
		}
		placeholder := regexp.MustCompile(`\{[^}]*\}`)
		seen := map[string]bool{}
		for key, v := range en {
			v = strings.Join(strings.Fields(v), " ")
			// Words spelled alike in both languages (Kanban, Status, Chatwoot, Webhook) are not leaks.
			if v == "" || strings.EqualFold(v, strings.Join(strings.Fields(pt[key]), " ")) || !strings.ContainsAny(v, "aeiou") {
				continue
			}
			for _, form := range strings.Split(v, " | ") { // vue-i18n plurals
				parts := placeholder.Split(form, -1)
				for i, p := range parts {
					parts[i] = regexp.QuoteMeta(p)
				}
				pattern := strings.Join(parts, ".*")
				if len(strings.Trim(pattern, ".* ")) < 3 || seen[pattern] || inPortuguese(pt, form) {
					continue
				}
				seen[pattern] = true
				englishPatterns = append(englishPatterns, pattern)
			}
		}
		sort.Strings(englishPatterns)
	})
	if englishErr != nil {
		t.Fatalf("read the translations: %v", englishErr)
	}
	return englishPatterns
}

// inPortuguese reports whether some Portuguese text is exactly s (a word both languages share).
func inPortuguese(pt map[string]string, s string) bool {
	for _, v := range pt {
		if strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}

func flatLocale(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, err
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				walk(prefix+"."+k, c)
			}
		case string:
			out[strings.TrimPrefix(prefix, ".")] = v
		}
	}
	walk("", tree)
	return out, nil
}

// checkExpr is the page check as an expression for the page (or a frame) at hand.
// free are texts the test itself typed (people's names), which are no translation's business.
func checkExpr(t *testing.T, strict bool, lang string, free []string) string {
	english := []string{}
	if lang != "en" {
		english = englishSentences(t)
	}
	raw, _ := json.Marshal(english)
	if free == nil {
		free = []string{}
	}
	freeRaw, _ := json.Marshal(free)
	return fmt.Sprintf(`%s(%t, %s, %s, %t)`, pageCheckJS, strict, raw, freeRaw, lang != "en")
}

// checkPage fails the test with every problem the page check finds on the current page.
func (b *browser) checkPage(what string, strict bool, lang string, free ...string) {
	b.t.Helper()
	for _, p := range eval[[]string](b, checkExpr(b.t, strict, lang, free)) {
		b.t.Errorf("%s: %s", what, p)
	}
	b.mu.Lock()
	errs := b.consoleErr
	b.consoleErr = nil
	b.mu.Unlock()
	for _, e := range errs {
		b.t.Errorf("%s: browser console error: %s", what, e)
	}
}
