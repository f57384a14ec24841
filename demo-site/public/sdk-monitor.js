// Feeds the demo's live panel. The SDK's only observable channel is its debug
// output (data-debug="true": `[eventline] captured <event>`, `beacon`, `retry`,
// `dropped`, `delivering from <mode>`), so this wraps console.info/warn before
// the snippet runs, keeps what it sees and tells subscribers. The console still
// gets every message.
(function () {
  var records = [];
  var listeners = [];
  function wrap(level) {
    var original = console[level].bind(console);
    console[level] = function () {
      original.apply(null, arguments);
      var first = arguments[0];
      if (typeof first !== 'string' || first.indexOf('[eventline]') !== 0) return;
      var record = { level: level, at: Date.now(), args: [].slice.call(arguments, 1), text: first };
      records.push(record);
      if (records.length > 500) records.shift();
      listeners.forEach(function (listener) { listener(record); });
    };
  }
  wrap('info');
  wrap('warn');
  window.eventlineMonitor = {
    records: records,
    subscribe: function (listener) {
      records.forEach(listener);
      listeners.push(listener);
    },
  };
})();
