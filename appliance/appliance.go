package appliance

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"deskline/appliance/dialplan"
	"deskline/appliance/sip"
	"deskline/appliance/sip/digest"
	"deskline/appliance/tlscert"
	"deskline/media"
	"deskline/media/prompt"
	"deskline/storage"
	"deskline/webui"
)

// Version is the build's version, set with -ldflags "-X deskline/appliance.Version=…".
var Version = "dev"

// Appliance is the running box: the store, the media port pool, the SIP
// server and the web panel, wired together.
//
// Lifecycle: New opens the store and prepares every subsystem without
// listening; Start listens (store → media → SIP → web); Close stops in
// reverse order, hanging up calls and saving registrations, and is safe
// after a partial Start.
type Appliance struct {
	cfg Config
	log *slog.Logger
	out io.Writer // where first-boot and demo instructions are printed

	db         *storage.DB
	exts       *storage.Collection[extension]
	users      *storage.Collection[webui.User]
	bindings   *storage.Collection[[]sip.Binding]
	bans       *storage.Collection[[]sip.Ban]
	trunks     *storage.Collection[webui.Trunk]
	ringGroups *storage.Collection[webui.RingGroup]
	routes     *routes
	daily      dailyCounts // today's queue counters for the dashboard

	updPw       *updatePassword // nil without Config.UpdatePasswordFile
	restart     chan struct{}   // closed to ask Run for a restart
	restartOnce sync.Once
	phones      *phoneProvisioning // phones.go
	cdrs        *storage.Log[cdr]
	auditLog    *storage.Log[webui.AuditRecord]

	pool *media.PortPool
	// The sounds the box plays: prompts and music on hold.
	prompts *prompt.Set
	moh     *prompt.Classes
	recs    *recorders
	flows   *flows
	queues  *queueCalls
	sip     *sip.Server
	web     *webui.Server
	http    *http.Server
	hl      net.Listener

	certs     *tlscert.Store // nil when nothing serves TLS (tls.go)
	https     *http.Server
	hsl       net.Listener
	httpsAddr string

	started   time.Time
	httpAddr  string
	setupCode string
	now       func() time.Time
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
	cdrw      *cdrWriter
	acd       *contactCentre // acd.go
	sim       *simPorts      // simports.go; nil without -sim-ports
}

// New opens the data directory and prepares the box. out receives the
// instructions a person needs (setup code, demo credentials); logs go to log.
func New(cfg Config, log *slog.Logger, out io.Writer) (*Appliance, error) {
	a := &Appliance{cfg: cfg, log: log, out: out, now: time.Now, restart: make(chan struct{})}
	var err error
	restored := applyPendingRestore(cfg.DataDir, log)
	if a.db, err = OpenStore(cfg.DataDir, log); err != nil {
		return nil, err
	}
	// Backup archives are staged in the data dir while downloaded or
	// uploaded; a crash mid-transfer leaves one behind.
	if old, _ := filepath.Glob(filepath.Join(cfg.DataDir, ".*-*.tar.gz")); len(old) > 0 {
		for _, f := range old {
			os.Remove(f)
		}
	}
	if err := a.openCollections(); err != nil {
		a.db.Close()
		return nil, err
	}
	if restored != "" {
		a.recordAudit(webui.AuditRecord{Actor: "system", Action: "restore", Object: "store", Detail: restored})
	}
	if cfg.UpdatePasswordFile != "" {
		u, made, err := loadUpdatePassword(cfg.UpdatePasswordFile)
		if err != nil {
			// Updates keep the image's password; the box itself runs.
			log.Error("this box's update password is not available", "err", err)
		} else {
			a.updPw = u
			if made {
				log.Info("this box's own update password was made; it replaces the image's at the next reboot", "file", cfg.UpdatePasswordFile)
				a.recordAudit(webui.AuditRecord{Actor: "system", Action: "update-password.made", Object: "update password", Detail: "active after the next reboot"})
			}
		}
	}
	if err := a.openACD(); err != nil {
		a.db.Close()
		return nil, err
	}
	if a.pool, err = media.NewPortPool(cfg.RTPMin, cfg.RTPMax); err != nil {
		a.db.Close()
		return nil, fmt.Errorf("appliance: %w", err)
	}
	if err := a.openTLS(); err != nil {
		a.db.Close()
		return nil, err
	}
	a.loadSounds()
	a.recs = newRecorders(a)
	a.cdrw = newCDRWriter(a.cdrs, log)
	dir := directory{exts: a.exts}
	if err := a.openFlows(); err != nil {
		a.db.Close()
		return nil, err
	}
	if a.routes, err = newRoutes(a, a.db); err != nil {
		a.db.Close()
		return nil, err
	}
	plan := dialplan.Plan{HasExtension: dir.exists, Features: dialplan.DefaultFeatures(), Flow: a.numberIsFlow, Queue: a.acd.queueNumberUser}
	a.sip, err = sip.New(sip.Options{
		Addr:      cfg.SIPAddr,
		Realm:     sipRealm,
		Directory: dir,
		Router:    router{plan, dir, a.routes},
		RouteInbound: func(trunk, did, caller string) sip.Target {
			return a.routes.inbound(trunk, did, caller)
		},
		Media:     a.pool,
		Bindings:  bindingStore{keptList[sip.Binding]{a.bindings}},
		Bans:      banStore{keptList[sip.Ban]{a.bans}},
		BanPolicy: sip.BanPolicy{Allow: cfg.SIPAllow},
		OnBan: func(b sip.Ban) {
			a.recordAudit(webui.AuditRecord{Time: b.Since, Actor: "system", Action: "ban", Object: b.Addr.String(),
				Detail: fmt.Sprintf("%s; until %s (offence %d)", b.Reason, b.Until.Format(time.RFC3339), b.Offences)})
		},
		OnCDR:            a.cdrw.write,
		Logger:           log,
		UserAgent:        "Deskline/" + Version,
		DigestAlgorithms: digestAlgorithms(cfg.SIPDigest),
		NoAnswerTimeout:  cfg.NoAnswer,
		MaxCalls:         cfg.MaxCalls,
		Country:          cfg.Country,
		MusicOnHold:      a.musicOnHold,
		OnService:        a.runService,
		SRTPPolicy:       dir.srtpPolicy,
		TLSAddr:          a.sipTLSAddr(),
		TLSConfig:        a.certs.TLSConfig(),
		OnTrunkStatus: func(st sip.TrunkStatus) {
			a.trunkEvent(st)
		},
	})
	if err != nil {
		a.db.Close()
		return nil, err
	}
	// Callers in queues are served by SIP channels and offers.
	a.queues = newQueueCalls(a, a.acd)
	a.acd.setExecutor(a.queues)
	if err := a.applyTrunks(); err != nil {
		// A stored trunk the SIP server refuses (made by an older
		// version): the box runs without trunks and says why.
		log.Error("stored trunks not applied", "err", err)
	}
	return a, nil
}

// recordAudit appends to the audit log; it returns once the record is
// committed.
func (a *Appliance) recordAudit(r webui.AuditRecord) {
	if r.Time.IsZero() {
		r.Time = a.now()
	}
	if _, err := a.auditLog.Append(r.Time, r); err != nil {
		a.log.Error("audit record not saved", "action", r.Action, "err", err)
	}
}

// auditChange records a change made through the API or panel, by the user
// the request came from.
func (a *Appliance) auditChange(ctx context.Context, action, object, detail string) {
	user, source := webui.ActorFrom(ctx)
	if user == "" {
		user = "system"
	}
	a.recordAudit(webui.AuditRecord{Actor: user, Source: source, Action: action, Object: object, Detail: detail})
}

// OpenStore opens (creating if needed) the store in dir with Deskline's
// schema, migrating an older one. Tools and tests use it to look at a
// store the daemon left.
func OpenStore(dir string, log *slog.Logger) (*storage.DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := storage.Open(dir, &storage.Options{Logger: log, Migrations: migrations})
	if err != nil {
		return nil, fmt.Errorf("appliance: open store in %s: %w", dir, err)
	}
	return db, nil
}

// migrations bring older stores up to date; version 1 is the first schema.
var migrations = []storage.Migration{
	{Version: 1, Name: "initial collections", Apply: func(tx *storage.Tx) error { return nil }},
}

func (a *Appliance) openCollections() (err error) {
	if a.exts, err = storage.NewCollection[extension](a.db, "extensions"); err != nil {
		return err
	}
	if a.users, err = storage.NewCollection[webui.User](a.db, "users"); err != nil {
		return err
	}
	if a.bindings, err = storage.NewCollection[[]sip.Binding](a.db, "registrations"); err != nil {
		return err
	}
	if a.bans, err = storage.NewCollection[[]sip.Ban](a.db, "bans"); err != nil {
		return err
	}
	if a.trunks, err = storage.NewCollection[webui.Trunk](a.db, "trunks"); err != nil {
		return err
	}
	if a.ringGroups, err = storage.NewCollection[webui.RingGroup](a.db, "ringgroups"); err != nil {
		return err
	}
	if a.phones, err = openPhoneStore(a.db); err != nil {
		return err
	}
	if a.auditLog, err = storage.NewLog[webui.AuditRecord](a.db, "audit"); err != nil {
		return err
	}
	a.cdrs, err = storage.NewLog[cdr](a.db, "cdr")
	return err
}

// Start bootstraps the admin account and demo data, then listens for SIP
// and HTTP.
func (a *Appliance) Start(ctx context.Context) error {
	a.started = time.Now()
	if err := a.bootstrapAdmin(ctx); err != nil {
		return err
	}
	if a.cfg.Demo {
		if err := a.demo(); err != nil {
			return err
		}
	}
	if err := a.sip.Start(); err != nil {
		return err
	}
	if err := a.listenHTTPS(); err != nil {
		return err
	}
	if err := a.startPhones(); err != nil {
		return err
	}
	if a.cfg.SimPorts {
		var err error
		if a.sim, err = a.startSimPorts(); err != nil {
			return err
		}
	}
	var err error
	a.web, err = webui.New(webui.Options{
		Backend: backend{a}, Users: userStore{a.users}, SetupCode: a.setupCode,
		Version: Version, Logger: a.log, Audit: a.recordAudit,
		TLS: a.tlsBackend(), HTTPSPort: a.httpsPort(), Recordings: a.recs, IVR: a.flows, ACD: acdBackend{a}, Trunks: trunkAPI{a}, Routing: routingAPI{a.routes}, Phones: phoneAPI{a}, Restore: restoreAPI{a}, Update: a.updateBackend(), RingGroups: ringGroupAPI{a}, MetricsToken: a.cfg.MetricsToken,
	})
	if err != nil {
		return fmt.Errorf("appliance: %w", err)
	}
	if a.hl, err = net.Listen("tcp", a.cfg.HTTPAddr); err != nil {
		return fmt.Errorf("appliance: http listen %s: %w", a.cfg.HTTPAddr, err)
	}
	a.httpAddr = a.hl.Addr().String()
	a.http = &http.Server{
		Handler:           a.withProvisioning(a.withSim(a.web.Handler())),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := a.http.Serve(a.hl); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("http server stopped", "err", err)
		}
	}()
	a.serveHTTPS(a.withProvisioning(a.withSim(a.web.Handler())))
	a.log.Info("deskline started", "version", Version, "sip", a.sip.Addr().String(), "sips", a.SIPTLSAddr(),
		"http", a.httpAddr, "https", a.httpsAddr, "data", a.cfg.DataDir,
		"rtp", fmt.Sprintf("%d-%d", a.cfg.RTPMin, a.cfg.RTPMax))
	a.printWelcome()
	return nil
}

// Close stops everything in reverse order of Start and closes the store.
// Calling it again returns the first call's result.
func (a *Appliance) Close() error {
	a.closeOnce.Do(func() { a.closeErr = a.close() })
	return a.closeErr
}

func (a *Appliance) close() error {
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	if a.http != nil {
		if err := a.http.Shutdown(ctx); err != nil {
			a.http.Close()
		}
	}
	a.closeHTTPS(ctx)
	cancel()
	a.wg.Wait()
	if a.sim != nil {
		a.sim.close()
	}
	if a.sip != nil {
		errs = append(errs, a.sip.Close())
	}
	if a.acd != nil {
		a.acd.close()
	}
	if a.recs != nil {
		a.recs.closeAll() // the calls have ended: each file is finished
	}
	if a.cdrw != nil {
		a.cdrw.close()
	}
	if a.db != nil {
		errs = append(errs, a.db.Close())
	}
	a.log.Info("deskline stopped")
	return errors.Join(errs...)
}

// Run starts the box and serves until ctx is done, then shuts down.
// A restart the box asks for (to apply a restored backup) closes it and
// starts it again in the same process.
func Run(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) error {
	for {
		a, err := New(cfg, log, out)
		if err != nil {
			return err
		}
		if err := a.Start(ctx); err != nil {
			a.Close()
			return err
		}
		select {
		case <-ctx.Done():
			log.Info("shutting down")
			return a.Close()
		case <-a.Restarting():
			if err := a.Close(); err != nil {
				return err
			}
		}
	}
}

// SIPAddr and HTTPAddr are where the box listens (after Start).
func (a *Appliance) SIPAddr() string  { return a.sip.Addr().String() }
func (a *Appliance) HTTPAddr() string { return a.httpAddr }

func digestAlgorithms(names []string) []digest.Algorithm {
	var out []digest.Algorithm
	for _, n := range names {
		if n == "sha256" {
			out = append(out, digest.SHA256)
		} else {
			out = append(out, digest.MD5)
		}
	}
	return out
}

// router adapts the dial plan to the SIP server.
type router struct {
	p      dialplan.Plan
	dir    directory
	routes *routes // outside calls: what no extension, feature or queue has
}

func (r router) Route(caller, dialled string) sip.Target {
	d := r.p.Resolve(caller, dialled)
	switch d.Kind {
	case dialplan.Extension:
		t := sip.Target{Kind: sip.TargetExtension, Extension: d.Extension}
		if r.dir.hasVoicemail(d.Extension) {
			// Unanswered calls go to the extension's voicemail.
			t.Fallback = &sip.Target{Kind: sip.TargetService, Service: serviceVoicemail, Args: d.Extension}
		}
		return t
	case dialplan.Feature:
		return sip.Target{Kind: sip.TargetService, Service: d.Feature, Args: d.Args}
	case dialplan.Flow:
		return sip.Target{Kind: sip.TargetService, Service: serviceFlow, Args: d.Flow}
	case dialplan.Queue:
		return sip.Target{Kind: sip.TargetService, Service: serviceQueue, Args: d.Queue}
	}
	if t, ok := r.routes.a.ringGroupTarget(dialled); ok {
		return t
	}
	if t, ok := r.routes.outbound(caller, dialled); ok {
		return t
	}
	return sip.Target{Kind: sip.TargetNone}
}

// keptList stores one list under one key of a collection: the registrar's
// bindings, the SIP bans.
type keptList[T any] struct {
	c *storage.Collection[[]T]
}

func (k keptList[T]) save(list []T) error { return k.c.Put("current", list) }

func (k keptList[T]) load() ([]T, error) {
	list, err := k.c.Get("current")
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return list, err
}

// bindingStore and banStore are the SIP server's stores.
type bindingStore struct{ keptList[sip.Binding] }

func (b bindingStore) SaveBindings(list []sip.Binding) error { return b.save(list) }
func (b bindingStore) LoadBindings() ([]sip.Binding, error)  { return b.load() }

type banStore struct{ keptList[sip.Ban] }

func (b banStore) SaveBans(list []sip.Ban) error { return b.save(list) }
func (b banStore) LoadBans() ([]sip.Ban, error)  { return b.load() }

// createExtension validates and stores a new extension.
func (a *Appliance) createExtension(e extension, password string) (extension, error) {
	number, name := e.Number, e.Name
	if err := checkNumber(number); err != nil {
		return extension{}, err
	}
	if q, ok := a.acd.queueNumberUser(number); ok {
		return extension{}, invalidf("number: %s is the number of queue %q", number, q)
	}
	if err := checkName(name); err != nil {
		return extension{}, err
	}
	if err := checkSIPPassword(number, password); err != nil {
		return extension{}, err
	}
	srtp, err := checkSRTP(e.SRTP)
	if err != nil {
		return extension{}, err
	}
	now := a.now()
	e.HA1, e.SRTP, e.Created, e.Updated = ha1s(number, password), srtp, now, now
	if err := a.exts.Create(number, e); err != nil {
		return extension{}, err
	}
	a.log.Info("extension created", "number", number, "name", name)
	return e, nil
}

// randomCode returns n characters from an alphabet without look-alikes.
func randomCode(n int) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789abcdefghijkmnpqrstuvwxyz"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// bootstrapAdmin makes sure the panel can be reached safely: an admin from
// DESKLINE_ADMIN_PASSWORD, or a one-time setup code. Never a default password.
func (a *Appliance) bootstrapAdmin(ctx context.Context) error {
	us := userStore{a.users}
	has, err := us.HasAdmin(ctx)
	if err != nil {
		return fmt.Errorf("appliance: reading users: %w", err)
	}
	if has {
		return nil
	}
	if pw := a.cfg.AdminPassword; pw != "" {
		if len(pw) < 10 || strings.EqualFold(pw, "admin") {
			return errors.New("appliance: DESKLINE_ADMIN_PASSWORD must be at least 10 characters")
		}
		hash, err := webui.HashPassword(pw)
		if err != nil {
			return err
		}
		if err := us.CreateUser(ctx, webui.User{Name: "admin", Role: "admin", PasswordHash: hash}); err != nil {
			return fmt.Errorf("appliance: creating admin: %w", err)
		}
		a.log.Info("admin user created from DESKLINE_ADMIN_PASSWORD")
		return nil
	}
	c := strings.ToUpper(randomCode(12))
	a.setupCode = c[:4] + "-" + c[4:8] + "-" + c[8:]
	a.log.Warn("first boot: no admin yet; open the web panel and enter the setup code", "setup_code", a.setupCode)
	return nil
}

// printWelcome tells the person at the console how to get in: on out, and
// on the configured console terminal when there is one.
func (a *Appliance) printWelcome() {
	var b strings.Builder
	a.writeWelcome(&b)
	io.WriteString(a.out, b.String())
	if a.cfg.Console == "" {
		return
	}
	f, err := os.OpenFile(a.cfg.Console, os.O_WRONLY|os.O_APPEND|syscall.O_NOCTTY, 0)
	if err != nil {
		a.log.Warn("console not writable", "console", a.cfg.Console, "err", err)
		return
	}
	defer f.Close()
	// Terminals want CR LF.
	io.WriteString(f, strings.ReplaceAll(b.String(), "\n", "\r\n"))
}

func (a *Appliance) writeWelcome(out io.Writer) {
	host := a.httpAddr
	if h, p, err := net.SplitHostPort(host); err == nil && (h == "" || h == "::" || h == "0.0.0.0") {
		host = "<this box's address>:" + p
	}
	fmt.Fprintf(out, "\nDeskline %s is running.\n  Web panel: http://%s/\n  SIP:       %s (UDP and TCP)\n", Version, host, a.sip.Addr())
	a.writeTLSWelcome(out)
	if a.setupCode != "" {
		fmt.Fprintf(out, "  First boot: open http://%s/setup and enter the one-time setup code %s to set the admin password.\n", host, a.setupCode)
	} else {
		fmt.Fprintf(out, "  Log in as admin with your admin password.\n")
	}
	if a.cfg.Demo {
		if f, err := a.db.OpenFile(demoFile); err == nil {
			b, _ := io.ReadAll(io.LimitReader(f, 4096))
			f.Close()
			fmt.Fprintf(out, "  Demo phones (register them on %s):\n%s", a.sip.Addr(), b)
		}
	}
	fmt.Fprintln(out)
}

const demoFile = "demo-extensions.txt"

// demo fills an empty store with three extensions and writes their
// credentials to a file in the data directory (mode 0600), so that every
// `make run` can print them again.
func (a *Appliance) demo() error {
	n, err := a.exts.Len()
	if err != nil || n > 0 {
		return err
	}
	var b strings.Builder
	for _, d := range []struct{ num, name string }{{"1001", "Alice"}, {"1002", "Bob"}, {"1003", "Carol"}} {
		pw := randomCode(16)
		if _, err := a.createExtension(extension{Number: d.num, Name: d.name}, pw); err != nil {
			return fmt.Errorf("appliance: demo extension %s: %w", d.num, err)
		}
		fmt.Fprintf(&b, "    %s (%s)  user %s  password %s\n", d.num, d.name, d.num, pw)
	}
	return a.db.WriteFile(demoFile, strings.NewReader(b.String()))
}
