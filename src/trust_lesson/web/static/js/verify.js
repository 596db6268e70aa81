// The public verify page: the dropped or chosen certificate file is sent, as it is, to the
// service's check (POST /api/v1/evidence/verify, nothing stored) and the answer is shown in words.
const MOST_BYTES = 4 * 1024 * 1024;
const WORDS = { valid: "Valid", invalid: "Invalid", revoked: "Revoked" };

const OUTCOMES = {
  ATTENDED: "Attended",
  PARTIAL: "Partial",
  ABSENT: "Absent",
  PENDING_REVIEW: "Pending review",
};

// What a certificate states, in words: a valid one of an ABSENT decision is no proof of
// attendance, so "Valid" alone would mislead the reader.
function statement(subject) {
  if (!subject) return "";
  if (subject.lesson && subject.attendance) {
    const { lesson, attendance } = subject;
    const day = String(lesson.start || "").slice(0, 10);
    const outcome = OUTCOMES[attendance.outcome] || attendance.outcome;
    const noun = attendance.checksTotal === 1 ? "check" : "checks";
    const checks = `${attendance.checksVerified} of ${attendance.checksTotal} ${noun} verified`;
    return `${lesson.title} (${lesson.course}), ${day}: ${outcome} (${checks})`;
  }
  if (subject.term && subject.summary) {
    const { term, summary } = subject;
    return (
      `${term.course}, term ${term.number}: ${summary.lessons} lesson${summary.lessons === 1 ? "" : "s"}, ` +
      `${summary.attended} attended, ${summary.partial} partial, ${summary.absent} absent, ` +
      `${summary.pendingReview} pending review`
    );
  }
  return "";
}

// A moment as every page writes one: "2026-03-02T14:30:05Z" reads "2026-03-02 14:30 UTC".
function moment(iso) {
  const at = new Date(iso);
  if (!iso || Number.isNaN(at.getTime())) return iso || "";
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

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
    document.getElementById("verify-issued").textContent = moment(details.issued);
    document.getElementById("verify-states").textContent = details.states || "";
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
    const states = statement(document_.credentialSubject);
    show(answer.status, answer.reason, answer.status === "invalid" ? null : { ...answer, states });
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
