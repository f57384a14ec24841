// Feeds the demo's live panel from the very start of the page: the SDK's
// delivery reports (the public `eventline:report` window event, which is what
// `eventline.onReport` listens to) and, in debug mode, its `[eventline]`
// console warnings (e.g. delivery falling back to the main thread). It runs
// before the snippet, so nothing is missed while the page script loads; the
// console still gets every message.
(function () {
  var records = [];
  var listeners = [];
  function add(record) {
    records.push(record);
    if (records.length > 1000) records.shift();
    listeners.forEach(function (listener) {
      listener(record);
    });
  }
  addEventListener('eventline:report', function (event) {
    add({ at: Date.now(), report: event.detail });
  });
  var warn = console.warn.bind(console);
  console.warn = function () {
    warn.apply(null, arguments);
    var first = arguments[0];
    if (typeof first === 'string' && first.indexOf('[eventline]') === 0)
      add({ at: Date.now(), warning: first.replace(/^\[eventline\]\s*/, '') });
  };
  window.eventlineMonitor = {
    records: records,
    subscribe: function (listener) {
      records.forEach(listener);
      listeners.push(listener);
    },
  };
})();
