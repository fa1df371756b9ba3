// Package webui is the web panel and its JSON API (/api/v1): server-rendered
// HTML from embedded templates, a little plain JavaScript, live updates by
// Server-Sent Events, sessions, CSRF protection, roles and user profiles.
//
// It reaches the rest of the box only through the small interfaces it declares
// (Backend, UserStore), which appliance implements.
//
// Imports: acd (read-only types), nothing else of Deskline's. Importers:
// appliance.
package webui
