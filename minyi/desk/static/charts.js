/* The figures page's charts, drawn by the vendored ECharts from the page's data. */
(function () {
  "use strict";
  var holder = document.getElementById("charts");
  if (!holder || !window.echarts) { return; }
  var data = JSON.parse(holder.getAttribute("data-charts"));
  var font = {fontFamily: "Noto Sans CJK SC, WenQuanYi Zen Hei, Microsoft YaHei, sans-serif"};
  var options = {
    monthly: {
      textStyle: font, tooltip: {trigger: "axis"}, legend: {data: ["收到", "采用"]},
      xAxis: {type: "category", data: data.monthly.months}, yAxis: {type: "value", minInterval: 1},
      series: [{name: "收到", type: "bar", data: data.monthly.received},
               {name: "采用", type: "bar", data: data.monthly.adopted}]
    },
    levels: {
      textStyle: font, tooltip: {trigger: "item"},
      series: [{type: "pie", radius: "65%", data: data.levels, label: {formatter: "{b}：{c}"}}]
    },
    units: {
      textStyle: font, tooltip: {trigger: "axis"}, grid: {left: 160},
      xAxis: {type: "value"}, yAxis: {type: "category", data: data.units.names},
      series: [{name: "积分", type: "bar", data: data.units.points}]
    }
  };
  Array.prototype.forEach.call(document.querySelectorAll(".chart"), function (el) {
    var chart = window.echarts.init(el, null, {renderer: "canvas"});
    chart.setOption(options[el.getAttribute("data-chart")]);
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
