# jobsim_set_warnings(<target>): the house warning set, each flag probed first;
# -Werror behind JOBSIM_WERROR; ASan+UBSan behind JOBSIM_SANITIZE.
include(CheckCCompilerFlag)
set(_jobsim_flags -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wundef -Wcast-qual -Wpointer-arith -Wno-unused-parameter
    -fno-common)
set(JOBSIM_WARNING_FLAGS "")
foreach(flag IN LISTS _jobsim_flags)
  string(MAKE_C_IDENTIFIER "HAVE_FLAG${flag}" var)
  check_c_compiler_flag(${flag} ${var})
  if(${var})
    list(APPEND JOBSIM_WARNING_FLAGS ${flag})
  endif()
endforeach()
if(JOBSIM_WERROR)
  list(APPEND JOBSIM_WARNING_FLAGS -Werror)
endif()
if(JOBSIM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
function(jobsim_set_warnings target)
  target_compile_options(${target} PRIVATE ${JOBSIM_WARNING_FLAGS})
endfunction()
