(* /etc/libvirt/libxl.conf, as libvirt-xenlight's Xen driver reads it:
   the stock driver's settings and the ones this driver adds (job_wait_time,
   save_image_dir, auto_dump_path, migration_portmin, migration_portmax).
   Installed in place of libvirt-daemon-driver-xen's lens (diverted). *)

module Libvirtd_libxl =
   autoload xfm

   let eol        = del /[ \t]*\n/ "\n"
   let value_sep  = del /[ \t]*=[ \t]*/ " = "
   let indent     = del /[ \t]*/ ""

   let str_val    = del /\"/ "\"" . store /[^\"]*/ . del /\"/ "\""
   let bool_val   = store /0|1/
   let int_val    = store /-?[0-9]+/
   let uint_val   = store /[0-9]+/

   let str_entry  (kw:string) = [ key kw . value_sep . str_val ]
   let bool_entry (kw:string) = [ key kw . value_sep . bool_val ]
   let int_entry  (kw:string) = [ key kw . value_sep . int_val ]
   let uint_entry (kw:string) = [ key kw . value_sep . uint_val ]

   (* the stock driver's settings *)
   let stock_entry = bool_entry "autoballoon"
                   | str_entry "lock_manager"
                   | int_entry "keepalive_interval"
                   | uint_entry "keepalive_count"
                   | bool_entry "nested_hvm"

   (* the settings libvirt-xenlight adds *)
   let xenlight_entry = uint_entry "job_wait_time"
                      | str_entry "save_image_dir"
                      | str_entry "auto_dump_path"
                      | uint_entry "migration_portmin"
                      | uint_entry "migration_portmax"

   let entry = stock_entry | xenlight_entry

   let comment = [ label "#comment" . del /#[ \t]*/ "# " . store /([^ \t\n][^\n]*)?/ . del /\n/ "\n" ]
   let empty   = [ label "#empty" . eol ]

   let record  = indent . entry . eol

   let lns = ( record | comment | empty ) *

   let filter = incl "/etc/libvirt/libxl.conf"
              . Util.stdexcl

   let xfm = transform lns filter
