// The public verify page: the dropped or chosen certificate file is sent, as it is, to the
// service's check (POST /api/v1/evidence/verify, nothing stored) and the answer is shown in words.
const MOST_BYTES = 4 * 1024 * 1024;
const WORDS = { valid: "Valid", invalid: "Invalid", revoked: "Revoked" };

function show(status, reason, details = null) {
  const result = document.getElementById("verify-result");
  result.dataset.status = status;
  result.className = status === "valid" ? "notice" : "alert";
  document.getElementById("verify-verdict").textContent = `${WORDS[status] || status}: ${reason}`;
  const list = document.getElementById("verify-details");
  list.hidden = !details;
  if (details) {
    document.getElementById("verify-name").textContent = details.name || "";
    document.getElementById("verify-credential").textContent = details.credential_id || "";
    document.getElementById("verify-issued").textContent = details.issued || "";
  }
}

async function check(file) {
  if (!file) return;
  if (file.size > MOST_BYTES) {
    show("invalid", "this file is far larger than any certificate");
    return;
  }
  let document_;
  try {
    document_ = JSON.parse(await file.text());
  } catch {
    show("invalid", "this file is not a certificate (not JSON)");
    return;
  }
  document.getElementById("verify-result").dataset.status = "checking";
  document.getElementById("verify-verdict").textContent = "Checking…";
  try {
    const response = await fetch("/api/v1/evidence/verify", {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(document_),
    });
    const answer = await response.json();
    if (!response.ok) {
      show("invalid", answer.detail || `the service answered ${response.status}`);
      return;
    }
    show(answer.status, answer.reason, answer.status === "invalid" ? null : answer);
  } catch {
    show("invalid", "the check could not reach the service; try again");
  }
}

const input = document.getElementById("certificate-file");
const zone = document.getElementById("drop-zone");
input.addEventListener("change", () => check(input.files[0]));
zone.addEventListener("dragover", (event) => {
  event.preventDefault();
  zone.classList.add("dragging");
});
zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  zone.classList.remove("dragging");
  check(event.dataTransfer.files[0]);
});
