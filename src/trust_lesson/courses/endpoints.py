from fastapi import APIRouter, status

from trust_lesson.auth.dependencies import CurrentUser, StaffUser
from trust_lesson.courses import members, service
from trust_lesson.courses.dependencies import (
    ManagedCourse,
    ManagedTerm,
    VisibleCourse,
    VisibleTerm,
)
from trust_lesson.courses.schemas import (
    CourseCreate,
    CourseRead,
    CourseUpdate,
    MemberCreate,
    MemberRead,
    MemberUpdate,
    TermCreate,
    TermRead,
    TermUpdate,
)
from trust_lesson.deps import DbDep, PageDep, RowIdPath
from trust_lesson.models import Term

router = APIRouter(prefix="/api/v1", tags=["courses"])
UserId = RowIdPath


@router.get("/courses", response_model=list[CourseRead])
async def list_courses(caller: CurrentUser, db: DbDep, page: PageDep) -> list[CourseRead]:
    return await service.list_visible(db=db, caller=caller, limit=page.limit, offset=page.offset)


@router.post("/courses", response_model=CourseRead, status_code=status.HTTP_201_CREATED)
async def create_course(data: CourseCreate, caller: StaffUser, db: DbDep) -> CourseRead:
    course = await service.create_course(db=db, caller=caller, data=data)
    return await service.describe(db=db, course=course)


@router.get("/courses/{course_id}", response_model=CourseRead)
async def read_course(course: VisibleCourse, db: DbDep) -> CourseRead:
    return await service.describe(db=db, course=course)


@router.patch("/courses/{course_id}", response_model=CourseRead)
async def update_course(data: CourseUpdate, course: ManagedCourse, db: DbDep) -> CourseRead:
    await service.update_course(db=db, course=course, data=data)
    return await service.describe(db=db, course=course)


@router.delete("/courses/{course_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_course(course: ManagedCourse, db: DbDep) -> None:
    await service.delete_course(db=db, course=course)


@router.get("/courses/{course_id}/terms", response_model=list[TermRead])
async def list_terms(
    course: VisibleCourse, caller: CurrentUser, db: DbDep, page: PageDep
) -> list[Term]:
    terms = await service.list_terms(
        db=db, caller=caller, course=course, limit=page.limit, offset=page.offset
    )
    return list(terms)


@router.post(
    "/courses/{course_id}/terms", response_model=TermRead, status_code=status.HTTP_201_CREATED
)
async def create_term(data: TermCreate, course: ManagedCourse, db: DbDep) -> Term:
    return await service.create_term(db=db, course=course, data=data)


@router.get("/terms/{term_id}", response_model=TermRead)
async def read_term(term: VisibleTerm) -> Term:
    return term


@router.patch("/terms/{term_id}", response_model=TermRead)
async def update_term(data: TermUpdate, term: ManagedTerm, db: DbDep) -> Term:
    return await service.update_term(db=db, term=term, data=data)


@router.delete("/terms/{term_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_term(term: ManagedTerm, db: DbDep) -> None:
    await service.delete_term(db=db, term=term)


@router.get("/terms/{term_id}/members", response_model=list[MemberRead])
async def list_members(term: ManagedTerm, db: DbDep, page: PageDep) -> list[MemberRead]:
    return await members.list_members(db=db, term=term, limit=page.limit, offset=page.offset)


@router.post(
    "/terms/{term_id}/members", response_model=MemberRead, status_code=status.HTTP_201_CREATED
)
async def enrol_member(
    data: MemberCreate, term: ManagedTerm, caller: CurrentUser, db: DbDep
) -> MemberRead:
    return await members.enrol_member(
        db=db, term=term, caller=caller, role=data.role, email=data.email, user_id=data.user_id
    )


@router.delete("/terms/{term_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(user_id: UserId, term: ManagedTerm, db: DbDep) -> None:
    await members.remove(db=db, term=term, user_id=user_id)


@router.patch("/terms/{term_id}/members/{user_id}", response_model=MemberRead)
async def change_member_role(
    data: MemberUpdate, user_id: UserId, term: ManagedTerm, db: DbDep
) -> MemberRead:
    member, _ = await members.change_role(db=db, term=term, user_id=user_id, role=data.role)
    return member
