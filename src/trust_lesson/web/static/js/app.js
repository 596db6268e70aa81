// Behaviour every page shares, attached without inline handlers (the CSP forbids them).

// <form data-confirm="Really?"> asks before it is sent; so does a form's one destructive
// button (<button data-confirm="Really?">) when it is the one pressed.
// A form that posts is sent once: a second press (a double click, an impatient click while
// the answer is on its way) would repeat the action and show its refusal ("already running",
// "already a member") instead of what the first press did.
const SENDING_MS = 30000; // after this the form may be sent again (an answer that never came)

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = event.submitter?.dataset.confirm || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (event.defaultPrevented || form.method !== "post") return;
  if (form.dataset.sending === "true") {
    event.preventDefault();
    return;
  }
  form.dataset.sending = "true";
  window.setTimeout(() => delete form.dataset.sending, SENDING_MS);
});

// A page the browser kept (back / forward cache) comes back with its forms ready to send.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-sending]")) {
    delete form.dataset.sending;
  }
});
