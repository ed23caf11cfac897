"""Course structure (course_overviews, course_blocks) read from Studio OLX export tarballs."""

from learnlake.coursestructure.olx import CourseStructure, read_olx_course, write_course_structure

__all__ = ["CourseStructure", "read_olx_course", "write_course_structure"]
