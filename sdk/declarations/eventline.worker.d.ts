// The delivery worker, a classic script the SDK starts with `new Worker(url)`.
// It exports nothing; import its URL, never the module.
export {};
