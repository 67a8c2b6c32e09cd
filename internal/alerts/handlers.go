package alerts

import (
	"net/http"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// ListOpen answers the account's open incidents, oldest first (the
// console's banner reads it).
func (s *Service) ListOpen(w http.ResponseWriter, r *http.Request) error {
	list, err := openIncidents(r.Context(), s.DB.R, iam.AccessFrom(r.Context()).AccountID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*Incident{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": list})
	return nil
}
