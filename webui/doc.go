// Package webui is the web panel and its JSON API (/api/v1): server-rendered
// HTML from embedded templates, a little plain JavaScript, live updates by
// Server-Sent Events, sessions, CSRF protection, roles and user profiles.
//
// It reaches the rest of the box only through the small interfaces it declares
// (Backend, UserStore, and the optional ones such as ACDBackend), which
// appliance implements. The package webuitest holds in-memory
// implementations for tests and demos; webuitest/browsertest drives
// headless Chromium for the panel's browser tests.
//
// # Authentication
//
// The panel logs users in with a form and keeps them in an in-memory session
// (a 256-bit random id in an HttpOnly, SameSite=Strict cookie, rotated at
// every login, expiring after Options.SessionIdle without use). Every
// state-changing form carries the session's CSRF token.
//
// The API accepts either HTTP Basic credentials (for tools such as curl) or
// the panel's session cookie; a cookie-authenticated POST, PUT or DELETE must
// also carry the session's CSRF token in the X-CSRF-Token header (panel pages
// publish it in <meta name="csrf-token">). Requests with a body must be sent
// as Content-Type: application/json. Failed logins, by form or by Basic
// credentials, are counted per account and per source address: five failures
// within five minutes block further attempts (429) until the window has
// passed.
//
// # Panel pages
//
// Logged-in pages share a navigation bar; the status page (/) is the
// landing page. /extensions lists the extensions with their registered
// phones; /extensions/new, /extensions/{number} and
// /extensions/{number}/delete (a confirmation step) create, edit and delete
// one. /calls lists the calls in progress, refreshed every two seconds from
// /api/v1/calls by static/panel.js, with Record and Stop buttons when
// Options.Recordings is set; /recordings lists finished recordings with a
// player and download links. /cdr shows the last 100 finished calls,
// optionally between two days; /security the SIP bans (with a button to
// lift each) and the audit log.
//
// With Options.ACD set, the contact centre has pages too: /dashboard is
// the supervisor's live view (an overview summed over the queues, queue
// cards or a table, and the agents with buttons for the supervisor
// actions, which call the /api/v1/agents/{id}/... endpoints with the
// session's CSRF token); static/panel.js keeps it current from GET
// /api/v1/events, a Server-Sent Events stream of LiveSnapshot. One poller
// per Server asks the ACDBackend for the picture every 500 ms while any
// stream is open and sends a snapshot only when it changed. /agents,
// /queues (with /new, /{key} and /{key}/delete) and /pause-reasons edit
// the configuration; an agent's queues are saved as queue memberships,
// put back if one of the queues refuses.
//
// With Options.Phones set, /phones lists the provisioned desk phones with
// the provisioning credentials an installer types into each, the phones
// seen on the network with a form to assign each to an extension, and
// buttons to remove a phone or give it new credentials (POST
// /phones/{mac}/delete, /phones/{mac}/reset). The phones' own files are
// not served here: appliance mounts them at /provision/ in front of this
// handler, so that they are never redirected to HTTPS.
//
// With Options.Trunks set, /trunks lists the SIP trunks with their live
// state (up or down, registered until, last error, calls), which
// static/panel.js refreshes from /api/v1/trunks every three seconds; /trunks/new, /trunks/{name} and /trunks/{name}/delete (a
// confirmation step, where a refusal because a route uses the trunk is
// shown) create, edit and delete one. The password is write-only: the
// form never shows it and a blank one keeps it.
//
// With Options.Routing set, /routes edits the outbound routes, one form
// per route in the order they are tried (with buttons to move and delete
// each), /routes/inbound the inbound routes and the default destination
// (targets offered from the extensions, queues and IVR flows),
// /routes/blacklist the blocked callers and the numbers no extension may
// call, and /routes/limits the toll-fraud limits and the suspended
// extensions, each with a button to lift its suspension. Every form reads
// the part it changes, edits it and puts the whole part back with
// RoutingBackend.SetRouting; the problems of a refused document are shown
// next to the route and field their path names (outbound[2].patterns[0]
// is "Line 1" of route 3's patterns), warnings after saving. Dial patterns
// are written one per line as "PATTERN [prefix=P] [strip=N] [prepend=D]",
// weekly times as "mon-fri 08:00-18:00". The extension form edits an
// extension's class of outside calls and caller ID.
//
// Every page calls the same Backend methods as the API, with the logged-in
// user recorded for ActorFrom, so changes are audited alike. Forms post
// with the session's CSRF token in the field "csrf" and answer with a 303
// redirect; input that Backend refuses (ErrInvalid, ErrConflict) is shown
// again with the backend's message next to the field it names.
//
// # HTTPS
//
// The same handler serves plain HTTP and HTTPS; cookies are Secure over TLS.
// With Options.HTTPSPort set, once an administrator exists, plain-HTTP
// requests from other hosts are redirected (308) to the same path on that
// port, while loopback clients keep HTTP. With Options.TLS, GET and PUT
// /api/v1/tls show and replace the certificate, and the status page shows
// its fingerprint.
//
// # First boot
//
// While no administrator exists, appliance passes a one-time
// Options.SetupCode. Until it has been used on /setup every page redirects
// there and the API answers 503.
//
// Imports: acd (read-only types), nothing else of Deskline's; of third-party
// code only golang.org/x/crypto/argon2. Importers: appliance.
package webui
