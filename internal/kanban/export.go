package kanban

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// maxExport bounds one export.
const maxExport = 100_000

// CSVCell makes text safe for spreadsheets: a cell that starts with = + -
// @ tab or CR would run as a formula (CSV injection), so it gets a leading
// apostrophe; NUL goes, and invalid UTF-8 is replaced.
func CSVCell(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ExportCSV answers GET …/boards/{boardID}/export.csv with the filtered
// set (the list's filters), every column, one card per row.
func (s *Service) ExportCSV(w http.ResponseWriter, r *http.Request) error {
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return err
	}
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	if f.Assignee == "me" {
		f.Assignee = v.userID
	}
	b, err := s.visibleBoard(r.Context(), v, r.PathValue("boardID"))
	if err != nil {
		return err
	}
	stages, err := listStages(r.Context(), s.DB.R, v.accountID, b.ID)
	if err != nil {
		return err
	}
	cond := s.filtered(v, b.ID, stages, f, s.now())
	if f.StageID != "" {
		cond.add("c.stage_id = ?", f.StageID)
	}
	rows, err := s.DB.R.QueryContext(r.Context(), `SELECT `+prefixed(cardCols)+` FROM kanban_cards c WHERE `+cond.sql()+
		` ORDER BY c.stage_id, c.position, c.id LIMIT `+strconv.Itoa(maxExport), cond.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	names := map[string]string{}
	for _, st := range stages {
		names[st.ID] = st.Name
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="board-`+b.ID+`.csv"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("\uFEFF")) // Excel reads UTF-8 only with a BOM
	cw := csv.NewWriter(w)
	head := []string{"id", "title", "stage", "status", "value", "currency", "priority", "due_at", "labels", "assignee_ids",
		"contact_id", "contact_name", "contact_phone", "conversation_id", "stage_entered_at", "closed_reason", "last_activity_at", "created_at"}
	for _, d := range b.CustomFields {
		head = append(head, "custom."+d.Key)
	}
	_ = cw.Write(head)
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for rows.Next() {
		c, err := scanCard(rows)
		if err != nil {
			return nil // the answer started: the truncated file shows it
		}
		contactID, name, phone := "", "", ""
		if c.Contact != nil {
			contactID, name, phone = strconv.Itoa(c.Contact.ID), c.Contact.Name, c.Contact.Phone
		}
		conv := ""
		if c.ConversationID != nil {
			conv = strconv.Itoa(*c.ConversationID)
		}
		rec := []string{c.ID, c.Title, names[c.StageID], c.Status, strconv.FormatFloat(float64(c.ValueCents)/100, 'f', 2, 64), c.Currency,
			c.Priority, ts(c.DueAt), strings.Join(c.Labels, ", "), strings.Join(c.AssigneeIDs, ", "), contactID, name, phone, conv,
			ts(&c.StageEnteredAt), c.ClosedReason, ts(c.LastActivityAt), ts(&c.CreatedAt)}
		for _, d := range b.CustomFields {
			val := ""
			if x, ok := c.CustomFields[d.Key]; ok && x != nil {
				val = strings.Trim(jsonText(x), `"`)
			}
			rec = append(rec, val)
		}
		for i := range rec {
			rec[i] = CSVCell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return nil
		}
	}
	cw.Flush()
	_ = db.Translate(rows.Err())
	return nil
}
