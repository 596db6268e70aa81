from trust_lesson.cli import main

main()
