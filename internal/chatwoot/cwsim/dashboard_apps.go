package cwsim

import (
	"regexp"
	"slices"
	"strings"
)

var httpURLRe = regexp.MustCompile(`^https?://`)

// dashboardAppJSON is the dashboard_app partial: {id,title,content,created_at}.
func dashboardAppJSON(a *dashboardApp) map[string]any {
	return map[string]any{"id": a.ID, "title": a.Title, "content": a.Content, "created_at": rubyTime(a.CreatedAt)}
}

// Dashboard apps have no Pundit policy in 4.15: any member may manage them.
func (s *Sim) routeDashboardApps(c *call) reply {
	list := []map[string]any{}
	for _, a := range s.dashboardApps {
		if a.AccountID == c.acct.ID {
			list = append(list, dashboardAppJSON(a))
		}
	}
	return ok(list)
}

func (s *Sim) findDashboardApp(c *call) (*dashboardApp, error) {
	id, err := c.pathID("id")
	if err != nil {
		return nil, err
	}
	for _, a := range s.dashboardApps {
		if a.ID == id && a.AccountID == c.acct.ID {
			return a, nil
		}
	}
	return nil, errNotFound()
}

func (s *Sim) routeDashboardApp(c *call) reply {
	a, err := s.findDashboardApp(c)
	if err != nil {
		return fromErr(err)
	}
	return ok(dashboardAppJSON(a))
}

func (s *Sim) routeCreateDashboardApp(c *call) reply {
	now := s.now()
	a := &dashboardApp{AccountID: c.acct.ID, UserID: c.user.ID, CreatedAt: now, UpdatedAt: now}
	if err := applyDashboardApp(a, wrapped(c.body, "dashboard_app")); err != nil {
		return fromErr(err)
	}
	a.ID = s.next("dashboard_app")
	s.dashboardApps = append(s.dashboardApps, a)
	return ok(dashboardAppJSON(a))
}

func (s *Sim) routeUpdateDashboardApp(c *call) reply {
	a, err := s.findDashboardApp(c)
	if err != nil {
		return fromErr(err)
	}
	next := *a
	if err := applyDashboardApp(&next, wrapped(c.body, "dashboard_app")); err != nil {
		return fromErr(err)
	}
	next.UpdatedAt = s.now()
	*a = next
	return ok(dashboardAppJSON(a))
}

func (s *Sim) routeDeleteDashboardApp(c *call) reply {
	a, err := s.findDashboardApp(c)
	if err != nil {
		return fromErr(err)
	}
	s.dashboardApps = slices.DeleteFunc(s.dashboardApps, func(x *dashboardApp) bool { return x == a })
	return reply{status: 204}
}

// applyDashboardApp enforces DashboardApp's validations: a title, and a
// content array of at least one {type:"frame", url:"http(s)://…"}.
func applyDashboardApp(a *dashboardApp, p map[string]any) error {
	if v, present := pString(p, "title"); present {
		a.Title = strings.TrimSpace(v)
	}
	if _, present := p["content"]; present {
		list, _ := pList(p, "content")
		a.Content = nil
		for _, item := range list {
			m, isObj := item.(map[string]any)
			if !isObj {
				a.Content = append(a.Content, map[string]any{})
				continue
			}
			typ, _ := pString(m, "type")
			u, _ := pString(m, "url")
			a.Content = append(a.Content, map[string]any{"type": typ, "url": u})
		}
	}
	var msgs, attrs []string
	if a.Title == "" {
		msgs, attrs = append(msgs, "Title can't be blank"), append(attrs, "title")
	}
	valid := len(a.Content) > 0
	for _, item := range a.Content {
		u, _ := item["url"].(string)
		valid = valid && item["type"] == "frame" && httpURLRe.MatchString(u)
	}
	if !valid {
		msgs, attrs = append(msgs, "Content : Invalid data"), append(attrs, "content")
	}
	if len(msgs) > 0 {
		return errRecordInvalid(strings.Join(msgs, ", "), attrs...)
	}
	return nil
}
