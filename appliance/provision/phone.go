package provision

import (
	"sync"
	"time"
)

// Vendor is a phone maker whose configuration format this package writes.
type Vendor string

// The vendors supported.
const (
	Yealink     Vendor = "yealink"
	Grandstream Vendor = "grandstream"
	Polycom     Vendor = "polycom" // Poly VVX and SoundPoint on UC Software
)

// Vendors lists the supported vendors, for the panel's choice list.
func Vendors() []Vendor { return []Vendor{Yealink, Grandstream, Polycom} }

func (v Vendor) valid() bool { return v == Yealink || v == Grandstream || v == Polycom }

// Phone is a desk phone assigned to an extension.
type Phone struct {
	MAC    MAC    `json:"mac"`
	Vendor Vendor `json:"vendor"`
	Model  string `json:"model,omitempty"` // free text shown in the panel ("T54W")
	// Extension is the number the phone registers as (its SIP user).
	Extension string `json:"extension"`
	// BLF lists colleagues' extension numbers shown as busy-lamp keys.
	BLF []string `json:"blf,omitempty"`
	// Username and Password are the phone's provisioning credentials (HTTP
	// Basic): random, made by Assign, never derived from the MAC, and
	// unrelated to the extension's SIP password.
	Username string `json:"username"`
	Password string `json:"password"`
	// Assigned is when the phone was first assigned; the enrolment window
	// counts from it.
	Assigned time.Time `json:"assigned"`
	// Enrolled is set once the phone has fetched a file with its own
	// credentials; from then on the shared enrolment credentials no longer
	// work for it.
	Enrolled bool `json:"enrolled,omitempty"`
	// Last successful fetch: when, from which address, by which user agent.
	LastSeen  time.Time `json:"last_seen,omitzero"`
	LastAddr  string    `json:"last_addr,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
}

// Seen is a request for the configuration of a MAC no phone is assigned to:
// a phone on the network waiting for an admin.
type Seen struct {
	MAC       MAC       `json:"mac"`
	Vendor    Vendor    `json:"vendor,omitempty"` // guessed; "" when unsure
	File      string    `json:"file"`             // the file it asked for
	Addr      string    `json:"addr"`             // its IP address
	UserAgent string    `json:"user_agent,omitempty"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
	Count     int       `json:"count"`
}

// Store keeps phones and the list of phones seen. Service calls it from
// request handlers and admin calls, possibly concurrently, but never
// concurrently for two changes (Service serialises its writes). Get of an
// absent MAC returns an error that errors.Is(err, ErrNotFound) recognises.
// Implementations return values that do not alias their own memory.
type Store interface {
	Get(mac MAC) (Phone, error)
	Put(p Phone) error
	Delete(mac MAC) error
	List() ([]Phone, error)

	// The seen list. Service bounds its length (Options.MaxSeen) by
	// deleting the entries seen longest ago.
	PutSeen(s Seen) error
	DeleteSeen(mac MAC) error
	ListSeen() ([]Seen, error)
}

// MemStore is a Store in memory, for tests and demos. The zero value is
// ready to use.
type MemStore struct {
	mu     sync.Mutex
	phones map[MAC]Phone
	seen   map[MAC]Seen
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{} }

func (m *MemStore) Get(mac MAC) (Phone, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.phones[mac]
	if !ok {
		return Phone{}, ErrNotFound
	}
	return clonePhone(p), nil
}

func (m *MemStore) Put(p Phone) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.phones == nil {
		m.phones = map[MAC]Phone{}
	}
	m.phones[p.MAC] = clonePhone(p)
	return nil
}

func (m *MemStore) Delete(mac MAC) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.phones, mac)
	return nil
}

func (m *MemStore) List() ([]Phone, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return values(m.phones, clonePhone), nil
}

func (m *MemStore) PutSeen(s Seen) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen = map[MAC]Seen{}
	}
	m.seen[s.MAC] = s
	return nil
}

func (m *MemStore) DeleteSeen(mac MAC) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.seen, mac)
	return nil
}

func (m *MemStore) ListSeen() ([]Seen, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return values(m.seen, func(s Seen) Seen { return s }), nil
}

// values returns copies of a map's values, in no order.
func values[V any](m map[MAC]V, clone func(V) V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, clone(v))
	}
	return out
}

func clonePhone(p Phone) Phone {
	p.BLF = append([]string(nil), p.BLF...)
	return p
}
