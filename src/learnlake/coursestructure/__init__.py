"""Course structure (course_overviews, course_blocks, course_structures) from OLX, modulestore or REST."""

from learnlake.coursestructure.builder import CourseInfo, CourseStructure, Node, build_structure
from learnlake.coursestructure.olx import read_olx_course, write_course_structure

__all__ = [
    "CourseInfo",
    "CourseStructure",
    "Node",
    "build_structure",
    "read_olx_course",
    "write_course_structure",
]
