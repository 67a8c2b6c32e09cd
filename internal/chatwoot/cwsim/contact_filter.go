package cwsim

import (
	"fmt"
	"slices"
	"strings"
)

var standardContactFilterKeys = []string{"name", "email", "phone_number", "identifier", "country_code", "city", "company", "blocked"}

var contactFilterOperators = []string{"equal_to", "not_equal_to", "contains", "does_not_contain", "is_present", "is_not_present"}

type contactCondition struct {
	key, op, queryOp string
	values           []string
}

// routeFilterContacts is POST …/contacts/filter (Contacts::FilterService):
// conditions joined by each condition's query_operator, AND binding
// tighter than OR as in the SQL Chatwoot builds.
func (s *Sim) routeFilterContacts(c *call) reply {
	conds, err := s.parseContactFilter(c.acct.ID, c.body)
	if err != nil {
		return fromErr(err)
	}
	return s.listContacts(c, s.accountContacts(c.acct.ID, func(ct *contact) bool { return matchContact(ct, conds) }))
}

func (s *Sim) parseContactFilter(accountID int, p map[string]any) ([]contactCondition, error) {
	raw, isList := pList(p, "payload")
	if !isList || len(raw) == 0 {
		return nil, errParamMissing("payload")
	}
	custom := map[string]bool{}
	for _, ct := range s.accountContacts(accountID, nil) {
		for k := range ct.CustomAttributes {
			custom[k] = true
		}
	}
	var out []contactCondition
	for i, item := range raw {
		m, isObj := item.(map[string]any)
		if !isObj {
			return nil, errCouldNotCreate("Invalid attribute key - []")
		}
		var cond contactCondition
		cond.key, _ = pString(m, "attribute_key")
		cond.op, _ = pString(m, "filter_operator")
		cond.queryOp, _ = pString(m, "query_operator")
		if !slices.Contains(standardContactFilterKeys, cond.key) && !custom[cond.key] {
			return nil, errCouldNotCreate(fmt.Sprintf("Invalid attribute key - [%s]", cond.key))
		}
		if !slices.Contains(contactFilterOperators, cond.op) {
			return nil, errCouldNotCreate(fmt.Sprintf("Invalid operator. The allowed operators for %s are [%s].",
				cond.key, strings.Join(contactFilterOperators, ",")))
		}
		cond.queryOp = strings.ToUpper(cond.queryOp)
		if i < len(raw)-1 && cond.queryOp != "AND" && cond.queryOp != "OR" {
			return nil, errCouldNotCreate("Query operator must be either 'AND' or 'OR'")
		}
		vals, _ := pList(m, "values")
		for _, v := range vals {
			str, _ := pString(map[string]any{"v": v}, "v")
			cond.values = append(cond.values, strings.ToLower(str))
		}
		out = append(out, cond)
	}
	return out, nil
}

func matchContact(ct *contact, conds []contactCondition) bool {
	group := true // current AND chain
	for i, cond := range conds {
		group = group && matchCondition(ct, cond)
		last := i == len(conds)-1
		if last || cond.queryOp == "OR" {
			if group {
				return true
			}
			group = true
		}
	}
	return false
}

func matchCondition(ct *contact, cond contactCondition) bool {
	var val string
	switch cond.key {
	case "name":
		val = ct.Name
	case "email":
		val = deref(ct.Email)
	case "phone_number":
		val = deref(ct.PhoneNumber)
	case "identifier":
		val = deref(ct.Identifier)
	case "blocked":
		val = fmt.Sprint(ct.Blocked)
	case "country_code", "city", "company":
		val, _ = pString(ct.AdditionalAttributes, cond.key)
	default:
		val, _ = pString(ct.CustomAttributes, cond.key)
	}
	val = strings.ToLower(val)
	contains := func() bool {
		for _, v := range cond.values {
			if strings.Contains(val, v) {
				return true
			}
		}
		return false
	}
	switch cond.op {
	case "equal_to":
		return slices.Contains(cond.values, val)
	case "not_equal_to":
		return !slices.Contains(cond.values, val)
	case "contains":
		return contains()
	case "does_not_contain":
		return !contains()
	case "is_present":
		return val != ""
	case "is_not_present":
		return val == ""
	}
	return false
}
