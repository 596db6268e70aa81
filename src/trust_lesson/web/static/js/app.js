// Behaviour every page shares, attached without inline handlers (the CSP forbids them).

// <form data-confirm="Really?"> asks before it is sent; so does a form's one destructive
// button (<button data-confirm="Really?">) when it is the one pressed.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = event.submitter?.dataset.confirm || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
