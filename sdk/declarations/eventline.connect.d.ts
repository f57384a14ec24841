// The worker connection (Comlink and the worker start-up), which the SDK's own
// builds load with import() at init. Serve it beside them; nothing here is for
// importing by a site.
export {};
