// Marks the page as JavaScript-capable (GOV.UK Frontend styles depend on these classes) and
// starts GOV.UK Frontend's components. Loaded as a module, so no inline script is needed.
import { initAll } from "../vendor/govuk-frontend-6.6.0/govuk-frontend-6.6.0.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// "Error: " starts the page's title while it shows an error summary (GOV.UK). The server sets
// it on a full page; after an htmx swap (a section's form with errors swapped in, or swapped
// out once saved) the title follows what the page now shows.
const ERROR_PREFIX = "Error: ";
document.body.addEventListener("htmx:afterSettle", () => {
  const shown = document.querySelector(".govuk-error-summary") !== null;
  const bare = document.title.startsWith(ERROR_PREFIX)
    ? document.title.slice(ERROR_PREFIX.length)
    : document.title;
  const wanted = shown ? ERROR_PREFIX + bare : bare;
  if (document.title !== wanted) {
    document.title = wanted;
  }
});

// A form htmx swaps in (a section edited in place) gets its components started too: the
// character count under a narrative, the radios. (htmx:load also fires for the page itself,
// which initAll above has done.)
document.body.addEventListener("htmx:load", (event) => {
  const element = event.detail && event.detail.elt;
  if (element instanceof Element && element !== document.body) {
    initAll({ scope: element });
  }
});
