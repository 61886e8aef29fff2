// Marks the page as JavaScript-capable (GOV.UK Frontend styles depend on these classes) and
// starts GOV.UK Frontend's components. Loaded as a module, so no inline script is needed.
import { initAll } from "../vendor/govuk-frontend-6.6.0/govuk-frontend-6.6.0.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
