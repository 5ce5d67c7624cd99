// Every /admin URL is this one Vike page (the section read from the path in +data.ts), as the
// settings are (ADR 022): each Vike page adds an entry to the client's route table, which every
// page, the dashboard included, loads first. It sits in "(sections)", a folder filesystem routing
// ignores, so that its configs (this route among them) are not inherited by a page of its own
// under pages/admin (/admin/diagnostics/, a static route that wins over this glob); the guard in
// pages/admin covers both.
export default '/admin*'
