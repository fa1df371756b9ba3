package appliance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"deskline/appliance/provision"
	"deskline/storage"
	"deskline/webui"
)

// This file wires phone auto-provisioning (package provision) into the
// box: phones and the phones seen live in the store, a phone's file
// carries its extension's SIP password, the phones fetch files under
// /provision/ on both the HTTP and the HTTPS listener, and the panel and
// API manage them (phoneAPI).
//
// Extensions store only digest HA1 values, never a SIP password, but a
// provisioned phone needs the password in its file. So assigning a phone
// to an extension gives the extension a generated password, kept in the
// extension record (ProvSecret, never shown by the API) with its HA1
// updated to match; the hand-set password stops working. When an admin
// later sets the password of such an extension, the secret follows it, and
// the phones get the new one on their next fetch.

// provSecretLen is the length of a generated SIP password: about 145 bits
// from randomCode's 56-letter alphabet.
const provSecretLen = 25

// maxProvSecret is the longest SIP password a phone's file can carry.
const maxProvSecret = 64

// phoneStore is provision.Store on the box's store: collection "phones"
// and "phones_seen", both keyed by the MAC's twelve hex digits.
type phoneStore struct {
	phones *storage.Collection[provision.Phone]
	seen   *storage.Collection[provision.Seen]
}

var _ provision.Store = phoneStore{}

// enrolment holds the site's enrolment credentials, generated once.
type enrolment struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// phoneProvisioning is the box's provisioning: its store and, once Start
// has run, the service and the settings it was given.
type phoneProvisioning struct {
	store    phoneStore
	settings *storage.Collection[enrolment] // "provisioning": key "enrol"
	svc      *provision.Service
	set      provision.Settings
	enrol    enrolment
}

// openPhoneStore opens the provisioning collections.
func openPhoneStore(db *storage.DB) (p *phoneProvisioning, err error) {
	p = &phoneProvisioning{}
	if p.store.phones, err = storage.NewCollection[provision.Phone](db, "phones"); err != nil {
		return nil, err
	}
	if p.store.seen, err = storage.NewCollection[provision.Seen](db, "phones_seen"); err != nil {
		return nil, err
	}
	if p.settings, err = storage.NewCollection[enrolment](db, "provisioning"); err != nil {
		return nil, err
	}
	return p, nil
}

func (s phoneStore) Get(mac provision.MAC) (provision.Phone, error) {
	p, err := s.phones.Get(mac.String())
	if errors.Is(err, storage.ErrNotFound) {
		return p, fmt.Errorf("%w: %s", provision.ErrNotFound, mac)
	}
	return p, err
}

func (s phoneStore) Put(p provision.Phone) error { return s.phones.Put(p.MAC.String(), p) }

func (s phoneStore) Delete(mac provision.MAC) error {
	return ignoreNotFound(s.phones.Delete(mac.String()))
}

func (s phoneStore) List() ([]provision.Phone, error) { return s.phones.List() }

func (s phoneStore) PutSeen(v provision.Seen) error { return s.seen.Put(v.MAC.String(), v) }

func (s phoneStore) DeleteSeen(mac provision.MAC) error {
	return ignoreNotFound(s.seen.Delete(mac.String()))
}

func (s phoneStore) ListSeen() ([]provision.Seen, error) { return s.seen.List() }

func ignoreNotFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

// startPhones creates the provisioning service once SIP and HTTPS listen:
// the settings name the addresses phones reach.
func (a *Appliance) startPhones() error {
	p := a.phones
	enrol, err := p.settings.Get("enrol")
	if errors.Is(err, storage.ErrNotFound) {
		enrol = enrolment{User: "site-" + strings.ToLower(randomCode(6)), Password: randomCode(24)}
		err = p.settings.Put("enrol", enrol)
	}
	if err != nil {
		return fmt.Errorf("appliance: provisioning credentials: %w", err)
	}
	sipAddr := a.sip.Addr()
	p.set = provision.Settings{Server: a.phoneHost(sipAddr.Addr()), Port: int(sipAddr.Port()), Transport: provision.UDP, TimeZone: a.cfg.TimeZone}
	if a.hsl != nil {
		p.set.ProvisionURL = a.reachURL("https", a.httpsAddr)
	}
	p.enrol = enrol
	p.svc, err = provision.New(provision.Options{
		Store:    p.store,
		Accounts: a.phoneAccount,
		Settings: p.set,
		// The site's credentials for DHCP option 66.
		EnrolUser: enrol.User, EnrolPassword: enrol.Password,
		Now: a.now,
	})
	if err != nil {
		return fmt.Errorf("appliance: provisioning: %w", err)
	}
	return nil
}

// phoneHost is the address phones reach the box at: the SIP listen
// address when it is a specific one, else the address the kernel would
// send from towards the rest of the network (no packet is sent: a UDP
// "connection" only picks the route).
func (a *Appliance) phoneHost(listen netip.Addr) string {
	if listen.IsValid() && !listen.IsUnspecified() {
		return listen.Unmap().String()
	}
	c, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 9})
	if err == nil {
		defer c.Close()
		if ip := c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(); ip.IsValid() && !ip.IsUnspecified() {
			return ip.String()
		}
	}
	a.log.Warn("no route to the network: provisioned phones are told to register to 127.0.0.1; set -sip to the box's address", "err", err)
	return "127.0.0.1"
}

// reachURL is the /provision/ URL of a listener as phones reach it: its
// host when it is bound to a specific address, else the phones' server.
func (a *Appliance) reachURL(scheme, listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if ip, perr := netip.ParseAddr(host); err != nil || host == "" || perr == nil && ip.IsUnspecified() {
		host = a.phones.set.Server
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/provision/"
}

// withProvisioning serves /provision/ to the phones and everything else
// with web. Phones are never redirected to HTTPS: most cannot trust the
// box's own certificate until they are configured.
func (a *Appliance) withProvisioning(web http.Handler) http.Handler {
	prov := a.phones.svc.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/provision/") {
			prov.ServeHTTP(w, r)
			return
		}
		web.ServeHTTP(w, r)
	})
}

// phoneAccount is provision.AccountFunc: the extension's name and its
// provisioning secret ("" when no phone was ever assigned to it, which
// only BLF keys, needing the name, ask for).
func (a *Appliance) phoneAccount(number string) (provision.Account, error) {
	e, err := a.exts.Get(number)
	if errors.Is(err, storage.ErrNotFound) {
		return provision.Account{}, errors.New("no such extension")
	}
	if err != nil {
		return provision.Account{}, err
	}
	return provision.Account{DisplayName: e.Name, Password: e.ProvSecret}, nil
}

// ensureProvSecret gives an extension a generated SIP password unless it
// has one already, and reports whether it did.
func (a *Appliance) ensureProvSecret(number string) (made bool, err error) {
	err = a.exts.Update(number, func(e *extension) error {
		if e.ProvSecret != "" {
			return nil
		}
		pw := randomCode(provSecretLen)
		for strings.Contains(pw, number) {
			pw = randomCode(provSecretLen)
		}
		e.ProvSecret, e.HA1, e.Updated, made = pw, ha1s(number, pw), a.now(), true
		return nil
	})
	if made {
		a.log.Info("extension given a generated SIP password for its provisioned phone", "number", number)
	}
	return made, err
}

// unassignPhonesOf removes the phones of a deleted extension: their files
// could not be rendered any more.
func (a *Appliance) unassignPhonesOf(ctx context.Context, number string) {
	if a.phones == nil || a.phones.svc == nil {
		return
	}
	list, err := a.phones.svc.List()
	if err != nil {
		a.log.Error("phones of a deleted extension not removed", "number", number, "err", err)
		return
	}
	for _, p := range list {
		if p.Extension != number {
			continue
		}
		if err := a.phones.svc.Unassign(p.MAC.String()); err != nil {
			a.log.Error("phone of a deleted extension not removed", "mac", p.MAC.String(), "err", err)
			continue
		}
		a.auditChange(ctx, "phone-removed", "phone "+p.MAC.String(), "extension "+number+" was deleted")
	}
}

// phoneAPI is the web panel's PhoneBackend.
type phoneAPI struct{ a *Appliance }

var _ webui.PhoneBackend = phoneAPI{}

func (p phoneAPI) svc() *provision.Service { return p.a.phones.svc }

// phoneErr maps the provision package's errors onto the panel's: invalid
// input becomes a *webui.FieldError naming the field.
func phoneErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, provision.ErrInvalid):
		msg := strings.TrimPrefix(err.Error(), provision.ErrInvalid.Error()+": ")
		field, _, _ := strings.Cut(msg, " ")
		field = strings.TrimSuffix(field, ":")
		switch field {
		case "mac", "vendor", "model", "extension", "blf":
			return fieldErr(field, "%s", strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(msg, field), ":")))
		}
		return fmt.Errorf("%w: %s", webui.ErrInvalid, msg)
	case errors.Is(err, provision.ErrNotFound):
		return fmt.Errorf("%w: %s", webui.ErrNotFound, strings.TrimPrefix(err.Error(), provision.ErrNotFound.Error()+": "))
	}
	return err
}

// view is what the API shows of a phone: its provisioning credentials
// (the admin types them into the phone) and the URLs of its files.
func (p phoneAPI) view(ph provision.Phone) webui.Phone {
	base := p.a.reachURL("http", p.a.httpAddr)
	out := webui.Phone{
		MAC: ph.MAC.String(), Vendor: string(ph.Vendor), Model: ph.Model, Extension: ph.Extension, BLF: orNone(ph.BLF),
		Username: ph.Username, Password: ph.Password, Assigned: ph.Assigned, Enrolled: ph.Enrolled,
		LastSeen: ph.LastSeen, LastAddr: ph.LastAddr, UserAgent: ph.UserAgent, Files: []string{},
	}
	for _, f := range provision.Files(ph.Vendor, ph.MAC) {
		out.Files = append(out.Files, base+f)
	}
	return out
}

func orNone(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// mapAll converts a list, passing its error on.
func mapAll[T, U any](list []T, err error, f func(T) U) ([]U, error) {
	if err != nil {
		return nil, err
	}
	out := make([]U, 0, len(list))
	for _, v := range list {
		out = append(out, f(v))
	}
	return out, nil
}

func (p phoneAPI) ListPhones(ctx context.Context) ([]webui.Phone, error) {
	list, err := p.svc().List()
	return mapAll(list, err, p.view)
}

// get returns the assigned phone with this MAC (any form ParseMAC takes).
func (p phoneAPI) get(mac string) (provision.Phone, error) {
	m, err := provision.ParseMAC(mac)
	if err != nil {
		return provision.Phone{}, phoneErr(err)
	}
	ph, err := p.a.phones.store.Get(m)
	return ph, phoneErr(err)
}

func (p phoneAPI) GetPhone(ctx context.Context, mac string) (webui.Phone, error) {
	ph, err := p.get(mac)
	if err != nil {
		return webui.Phone{}, err
	}
	return p.view(ph), nil
}

func (p phoneAPI) AssignPhone(ctx context.Context, in webui.PhoneInput) (webui.Phone, error) {
	return p.assign(ctx, in, "phone-assigned")
}

func (p phoneAPI) UpdatePhone(ctx context.Context, mac string, in webui.PhoneInput) (webui.Phone, error) {
	ph, err := p.get(mac)
	if err != nil {
		return webui.Phone{}, err
	}
	if in.MAC != "" {
		if m, err := provision.ParseMAC(in.MAC); err != nil || m != ph.MAC {
			return webui.Phone{}, fieldErr("mac", "must match the path or be left out")
		}
	}
	in.MAC = ph.MAC.String()
	return p.assign(ctx, in, "phone-updated")
}

// assign assigns the phone, then makes sure its extension has a SIP
// password the phone's file can carry.
func (p phoneAPI) assign(ctx context.Context, in webui.PhoneInput, action string) (webui.Phone, error) {
	ph, err := p.svc().Assign(in.MAC, provision.Vendor(strings.ToLower(strings.TrimSpace(in.Vendor))), in.Model, in.Extension, in.BLF)
	if err != nil {
		return webui.Phone{}, phoneErr(err)
	}
	made, err := p.a.ensureProvSecret(ph.Extension)
	if err != nil {
		return webui.Phone{}, webErr(err)
	}
	detail := fmt.Sprintf("%s %s to extension %s; blf %s", ph.Vendor, strconv.Quote(ph.Model), ph.Extension, strings.Join(ph.BLF, ","))
	if made {
		detail += "; the extension's SIP password was replaced by a generated one"
	}
	p.a.auditChange(ctx, action, "phone "+ph.MAC.String(), detail)
	return p.view(ph), nil
}

func (p phoneAPI) DeletePhone(ctx context.Context, mac string) error {
	m, err := provision.ParseMAC(mac)
	if err != nil {
		return phoneErr(err)
	}
	if err := p.svc().Unassign(m.String()); err != nil {
		return phoneErr(err)
	}
	p.a.auditChange(ctx, "phone-removed", "phone "+m.String(), "")
	return nil
}

func (p phoneAPI) ResetPhoneCredentials(ctx context.Context, mac string) (webui.Phone, error) {
	ph, err := p.svc().ResetCredentials(mac)
	if err != nil {
		return webui.Phone{}, phoneErr(err)
	}
	p.a.auditChange(ctx, "phone-credentials-reset", "phone "+ph.MAC.String(), "new provisioning credentials; enrolment open again")
	return p.view(ph), nil
}

func (p phoneAPI) PhonesSeen(ctx context.Context) ([]webui.PhoneSeen, error) {
	list, err := p.svc().Seen()
	return mapAll(list, err, func(s provision.Seen) webui.PhoneSeen {
		return webui.PhoneSeen{MAC: s.MAC.String(), Vendor: string(s.Vendor), File: s.File, Addr: s.Addr,
			UserAgent: s.UserAgent, First: s.First, Last: s.Last, Count: s.Count}
	})
}

func (p phoneAPI) Provisioning(ctx context.Context) (webui.Provisioning, error) {
	pp := p.a.phones
	out := webui.Provisioning{
		Server: pp.set.Server, Port: pp.set.Port, Transport: string(pp.set.Transport), TimeZone: pp.set.TimeZone,
		HTTPURL: p.a.reachURL("http", p.a.httpAddr), HTTPSURL: pp.set.ProvisionURL,
		EnrolUser: pp.enrol.User, EnrolPassword: pp.enrol.Password,
	}
	if u, ok := strings.CutPrefix(out.HTTPURL, "http://"); ok {
		out.EnrolURL = "http://" + pp.enrol.User + ":" + pp.enrol.Password + "@" + u
	}
	for _, v := range provision.Vendors() {
		out.Vendors = append(out.Vendors, string(v))
	}
	return out, nil
}
