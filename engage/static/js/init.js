// Starts the GOV.UK Frontend components; an external module so the CSP needs no inline script.
import { initAll } from "./govuk-frontend.min.js";

initAll();
