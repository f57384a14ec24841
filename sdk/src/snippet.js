// The inline loader. Put it inside a <script> tag carrying data-src (URL of
// eventline.iife.js) and the SDK's data-* options: it defines a stub
// `window.eventline` that queues calls, then loads the SDK asynchronously,
// passing the data-* attributes on; the SDK replays the queue. `onReport` works
// at once, as in the SDK: it listens to the `eventline:report` window event.
// Under Trusted Types the script URL comes from the `eventline#snippet` policy,
// which can only ever produce this tag's own data-src.
(function (w, d) {
  var me = d.currentScript;
  if (w.eventline && w.eventline.init) return;
  var stub = (w.eventline = { q: [] });
  'init track page identify reset optOut optIn flush shutdown'.split(' ').forEach(function (m) {
    stub[m] = function () {
      stub.q.push([m, [].slice.call(arguments)]);
    };
  });
  stub.onReport = function (listener) {
    var e = 'eventline:report';
    function handle(event) {
      listener(event.detail);
    }
    w.addEventListener(e, handle);
    return function () {
      w.removeEventListener(e, handle);
    };
  };
  var s = d.createElement('script');
  var src = me.getAttribute('data-src');
  var url = src;
  s.async = true;
  for (var i = 0, a; (a = me.attributes[i]); i++)
    if (a.name.indexOf('data-') === 0 && a.name !== 'data-src') s.setAttribute(a.name, a.value);
  try {
    url = w.trustedTypes
      .createPolicy('eventline#snippet', {
        createScriptURL: function () {
          return src;
        },
      })
      .createScriptURL(src);
  } catch (e) {
    // No Trusted Types, or the CSP does not list the policy: the plain URL.
  }
  s.src = url;
  d.head.appendChild(s);
})(window, document);
