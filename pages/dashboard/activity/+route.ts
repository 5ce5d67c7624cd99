// Both activity pages are this one Vike page (ADR 037), as the settings and the admin sections are
// (ADRs 022, 036): each Vike page adds an entry to the client's route table, which every page, the
// dashboard included, loads first. The glob matches /dashboard/activity (empty) and
// /dashboard/folders/<id>/activity; +data.ts reads which from the path and 404s anything else it
// matches (/dashboard/xactivity). Routes with more static segments at their start win over this
// one (/dashboard/items/activity is the item page's, a 404 there).
export default '/dashboard/*activity'
