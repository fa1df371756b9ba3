// Package phonetest runs real baresip soft phones for end-to-end tests of
// the PBX: each [Phone] is one baresip process on 127.0.0.1, configured in a
// temporary directory and driven over its ctrl_tcp socket.
//
// Imports: the standard library and appliance/internal/audiotest. Importers:
// tests only (it imports package testing).
//
//	a := phonetest.Start(t, phonetest.Options{User: "1001", Password: "pw",
//		Registrar: sipAddr, Register: true, PlayWAV: tone1000})
//	if err := a.WaitRegistered(ctx); err != nil { t.Fatal(err) }
//	a.Dial(ctx, "sip:1002@"+sipAddr)
//	a.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished))
//
// # Lifecycle
//
// [Start] skips the test (or, with CI=true, fails it) when baresip is
// missing, writes config, accounts and contacts, starts baresip with its
// output captured, waits for "baresip is ready.", connects to ctrl_tcp and
// only then creates the account with the uanew command. Its cleanup sends
// quit, kills baresip after 5 s if it is still there, waits for the process
// and every goroutine, and logs baresip's output if the test failed.
// Nothing sleeps: every step waits for an event or a response, bounded by a
// context (DefaultCommandTimeout, DefaultWaitTimeout when it has none).
//
// # Facts verified with Debian's baresip 1.0.0 (baresip-core 1.0.0-4)
//
// Control: ctrl_tcp frames JSON in netstrings. A command is
// {"command":"dial","params":"sip:…","token":"t"}; the answer is
// {"response":true,"ok":true,"data":"…","token":"t"}; unknown commands answer
// ok=false, "command not found (x)". Commands come from the menu module.
// Events go only to clients connected at the time, so an account listed in
// the accounts file can register before anyone hears about it: hence uanew.
// Events may arrive before the answer to the command that caused them
// (hangup: CALL_CLOSED, then the response).
//
// Events, as {"event":true,"type":…,"class":…,"accountaor":…,"direction":…,
// "peeruri":…,"id":…,"param":…}:
//   - caller: CALL_LOCAL_SDP (offer), CALL_RINGING (180 without SDP) or
//     CALL_PROGRESS (180/183 with SDP: early media is played), CALL_REMOTE_SDP (answer),
//     CALL_ESTABLISHED, CALL_RTPESTAB, CALL_RTCP every few seconds,
//     CALL_CLOSED with the reason in param ("Connection reset by user" on the
//     side that hung up, "Connection reset by peer" on the other).
//   - callee: CALL_INCOMING (param = caller's URI) only when it does not
//     auto-answer; with answermode=auto the first event is CALL_REMOTE_SDP.
//   - registration: REGISTERING, then REGISTER_OK or REGISTER_FAIL with the
//     reason in param ("Connection refused" for TCP to a closed port). Over
//     UDP to a dead port nothing came within seconds (the REGISTER
//     transaction only gives up after its 32 s timeout).
//   - received DTMF (RFC 4733): CALL_DTMF_START with the digit in param, then
//     CALL_DTMF_END without param, once per digit. "sndcode 12#" sends the
//     three digits; baresip 1.0.0 has no way to send SIP INFO (no dtmfmode
//     account parameter), so there is no DTMFInfo option.
//   - quit: SHUTDOWN and EXIT, then the answer "Quit".
//   - when the aufile source reaches its end: AUDIO_ERROR "0,end of file" and
//     the call is hung up with reason "end of file".
//
// Audio: aufile only reads 16-bit 8 kHz mono WAV files and plays them once.
// With sndfile loaded and snd_path set, every call leaves
// snd_path/dump-YYYY-MM-DD-hh-mm-ss-dec.wav (what the phone heard) and -enc.wav
// (what it sent), 16-bit mono 8 kHz, named after the local time the call's
// audio started: two calls starting within one second on the same phone
// overwrite each other. libsndfile writes the final RIFF sizes when the call
// is freed, right after CALL_CLOSED; [Phone.Recordings] syncs with one
// command round trip and checks the sizes. The audio player must exist even
// though no one listens: aubridge devices with no partner serve as sinks.
//
// Network: baresip always opens SIP over TLS on sip_listen+1 (TCP), so each
// phone gets a block of 16 ports (see ports.go). Without net_interface it
// puts the default route's address (not 127.0.0.1) into SDP c= lines;
// net_interface 127.0.0.1 fixes that ("lo" does not work: no such device).
// The Contact user is the account user plus a suffix ("alice-0x5609…@"),
// which a registrar must accept. Two more UDP sockets (not RTP) open on random
// ports outside rtp_ports. After SIGTERM, baresip with an account still
// registering over UDP to a dead port was seen holding its ports for
// seconds: ports are never reused within a test process, and cleanup kills
// baresip 5 s after quit.
//
// Gotchas: do not load stdio (it fails without a terminal); the status line
// of menu rewrites itself with carriage returns many times a second unless
// statmode_default is off.
//
// Packages: every module used (g711, aufile, aubridge, sndfile, account,
// contact, menu, ctrl_tcp) is in baresip-core, which the baresip package
// depends on; `apt-get install --no-install-recommends baresip` suffices.
package phonetest
