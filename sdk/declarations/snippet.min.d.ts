// The inline loader, pasted into a <script> tag (see the README). It exports nothing.
export {};
