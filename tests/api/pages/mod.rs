//! Pages that belong to no flow: the error page, the 404 and 405 pages.

mod logs;
