// What each check and verdict means, in the words the student reads.

export const KIND_WORDS = {
  ENTRY: "Entry check",
  RANDOM: "Check during the lesson",
  END: "End check",
};

export const VERDICT_WORDS = {
  PENDING: "Checking your picture\u2026",
  VERIFIED: "Verified: it\u2019s you. Thank you!",
  NO_FACE: "No face found: look at the camera.",
  MULTIPLE_FACES: "More than one face: only you should be in the picture.",
  WRONG_PERSON: "Not recognised as you: the enrolled student must be at the camera.",
  LOW_QUALITY: "Picture too dark or blurred: face a light and hold still.",
  REPLAYED: "The same picture as before: the live camera is needed.",
  NEEDS_REVIEW: "A person will look at this picture.",
  LIVENESS_FAILED: "The head turn was not seen: a person will look at these pictures.",
  MISSED: "Missed: no picture arrived in time.",
  CANCELLED: "Cancelled: the lesson ended before this check.",
};

// A liveness check's instruction: the student's own left or right (the frames are unmirrored).
// A two-step check starts like a one-side check and then asks for the other side.
export const TURN_WORDS = {
  LEFT: "Look at the camera, then slowly turn your head to your left and hold it.",
  RIGHT: "Look at the camera, then slowly turn your head to your right and hold it.",
  LEFT_THEN_RIGHT: "Look at the camera, then slowly turn your head to your left and hold it.",
  RIGHT_THEN_LEFT: "Look at the camera, then slowly turn your head to your right and hold it.",
};

export const THEN_WORDS = {
  LEFT_THEN_RIGHT: "Now slowly turn your head to your right and hold it.",
  RIGHT_THEN_LEFT: "Now slowly turn your head to your left and hold it.",
};

export const TURN_LABELS = {
  LEFT: "turn your head to your left",
  RIGHT: "turn your head to your right",
  LEFT_THEN_RIGHT: "turn your head to your left, then to your right",
  RIGHT_THEN_LEFT: "turn your head to your right, then to your left",
};

export const GOOD_VERDICTS = new Set(["VERIFIED"]);
