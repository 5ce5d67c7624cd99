// Every /admin URL is this one Vike page (the section read from the path in +data.ts), as the
// settings are (ADR 022): each Vike page adds an entry to the client's route table, which every
// page, the dashboard included, loads first. A page of its own under pages/admin (a static route)
// still wins over this glob.
export default '/admin*'
