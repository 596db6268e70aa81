// Behaviour every page shares, attached without inline handlers (the CSP forbids them).

// <form data-confirm="Really?"> asks before it is sent.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
