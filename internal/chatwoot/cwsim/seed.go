package cwsim

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Chatwoot's AccountUser roles (app/models/account_user.rb).
const (
	RoleAdministrator = "administrator"
	RoleAgent         = "agent"
)

// Seed is the initial population of the simulator. Its JSON form is what
// `whatpro chatwoot-sim` prints on its first line and what --seed reads.
type Seed struct {
	Accounts []SeedAccount `json:"accounts"`
	Users    []SeedUser    `json:"users"`
}

// SeedAccount is one Chatwoot account.
type SeedAccount struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// SeedUser is one Chatwoot user with its personal API token and memberships.
type SeedUser struct {
	ID             int              `json:"id"`
	Name           string           `json:"name"`
	Email          string           `json:"email"`
	Password       string           `json:"password"`
	APIAccessToken string           `json:"api_access_token"`
	Accounts       []SeedMembership `json:"accounts"`
}

// SeedMembership places a user in an account with a Chatwoot role.
type SeedMembership struct {
	ID   int    `json:"id"`
	Role string `json:"role"`
}

// DefaultSeed returns two accounts, each with an administrator and an agent,
// plus one user who belongs to both (administrator in the first, agent in
// the second). API tokens are random per call, like Chatwoot's
// has_secure_token, so nothing can depend on a well-known token; the
// passwords are fixed to keep manual logins easy.
func DefaultSeed() Seed {
	return Seed{
		Accounts: []SeedAccount{{ID: 1, Name: "Acme Suporte"}, {ID: 2, Name: "Beta Atendimento"}},
		Users: []SeedUser{
			{ID: 1, Name: "Ana Admin", Email: "ana@acme.test", Password: "Password1!", APIAccessToken: randomToken(24),
				Accounts: []SeedMembership{{ID: 1, Role: RoleAdministrator}}},
			{ID: 2, Name: "Bruno Agente", Email: "bruno@acme.test", Password: "Password1!", APIAccessToken: randomToken(24),
				Accounts: []SeedMembership{{ID: 1, Role: RoleAgent}}},
			{ID: 3, Name: "Carla Admin", Email: "carla@beta.test", Password: "Password1!", APIAccessToken: randomToken(24),
				Accounts: []SeedMembership{{ID: 2, Role: RoleAdministrator}}},
			{ID: 4, Name: "Diego Agente", Email: "diego@beta.test", Password: "Password1!", APIAccessToken: randomToken(24),
				Accounts: []SeedMembership{{ID: 2, Role: RoleAgent}}},
			{ID: 5, Name: "Eva Multi", Email: "eva@example.test", Password: "Password1!", APIAccessToken: randomToken(24),
				Accounts: []SeedMembership{{ID: 1, Role: RoleAdministrator}, {ID: 2, Role: RoleAgent}}},
		},
	}
}

// LoadSeed reads a seed file in the same JSON shape Main prints.
func LoadSeed(path string) (Seed, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("read seed: %w", err)
	}
	var s Seed
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Seed{}, fmt.Errorf("parse seed %s: %w", path, err)
	}
	if err := s.Validate(); err != nil {
		return Seed{}, fmt.Errorf("seed %s: %w", path, err)
	}
	return s, nil
}

// Validate reports the first inconsistency in the seed: duplicate ids or
// emails, memberships of unknown accounts, or roles Chatwoot does not have.
// New tolerates these (it skips what it cannot use); LoadSeed refuses them.
func (s Seed) Validate() error {
	accounts := map[int]bool{}
	for _, a := range s.Accounts {
		if a.ID <= 0 {
			return fmt.Errorf("account id %d must be positive", a.ID)
		}
		if accounts[a.ID] {
			return fmt.Errorf("duplicate account id %d", a.ID)
		}
		accounts[a.ID] = true
	}
	ids, emails := map[int]bool{}, map[string]bool{}
	for _, u := range s.Users {
		email := strings.ToLower(strings.TrimSpace(u.Email))
		switch {
		case u.ID <= 0:
			return fmt.Errorf("user id %d must be positive", u.ID)
		case ids[u.ID]:
			return fmt.Errorf("duplicate user id %d", u.ID)
		case email == "":
			return fmt.Errorf("user %d has no email", u.ID)
		case emails[email]:
			return fmt.Errorf("duplicate user email %q", u.Email)
		}
		ids[u.ID], emails[email] = true, true
		for _, m := range u.Accounts {
			if !accounts[m.ID] {
				return fmt.Errorf("user %d is a member of unknown account %d", u.ID, m.ID)
			}
			if m.Role != RoleAdministrator && m.Role != RoleAgent {
				return fmt.Errorf("user %d has role %q in account %d; want administrator or agent", u.ID, m.Role, m.ID)
			}
		}
	}
	if len(s.Accounts) == 0 {
		return errors.New("seed has no accounts")
	}
	return nil
}

// randomToken mimics Rails' has_secure_token: base58, n characters.
func randomToken(n int) string {
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
