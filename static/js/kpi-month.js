// KPI entry by month (templates/metrics/kpi_month.html): a column or row pasted from Excel
// (newline- or tab-separated) into a box fills it and the boxes below, in the order shown;
// Enter moves to the next box (and from the last to the Save button). Without this script each
// box is a plain input and Enter submits the form.
const form = document.querySelector("form[data-kpi-month]");
if (form) {
  const boxes = Array.from(form.querySelectorAll("input[data-month-box]"));
  const status = document.getElementById("kpi-month-status");
  const save = form.querySelector("button[type=submit]");

  const say = (text) => {
    if (status) status.textContent = text;
  };

  boxes.forEach((box, index) => {
    box.addEventListener("paste", (event) => {
      const text = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
      if (!/[\t\r\n]/.test(text)) return; // one figure pastes as usual
      event.preventDefault();
      const cells = text.replace(/\r\n?/g, "\n").split(/[\t\n]/);
      // A column copied from Excel ends with a line break.
      if (cells.length > 1 && cells[cells.length - 1] === "") cells.pop();
      const room = boxes.length - index;
      cells.slice(0, room).forEach((value, offset) => {
        boxes[index + offset].value = value.trim();
      });
      const filled = Math.min(cells.length, room);
      const last = boxes[index + filled - 1];
      let message = `Pasted ${filled} ${filled === 1 ? "figure" : "figures"}, from "${box.labels[0].textContent.trim()}" to "${last.labels[0].textContent.trim()}".`;
      if (cells.length > room) {
        const extra = cells.length - room;
        message += ` ${extra} more ${extra === 1 ? "line was" : "lines were"} left out: there are no more boxes.`;
      }
      say(message);
      last.focus();
    });
    box.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      const next = boxes[index + 1];
      if (next) {
        next.focus();
        next.select();
      } else if (save) {
        save.focus();
      }
    });
  });
}
