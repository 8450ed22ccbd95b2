(* augparse test of libvirt-xenlight's Libvirtd_libxl lens *)
module Test_libvirtd_libxl =
   let conf = "# libxl.conf
autoballoon = 1
lock_manager = \"lockd\"
keepalive_interval = -1
keepalive_count = 5
nested_hvm = 0

job_wait_time = 30
save_image_dir = \"/var/lib/libvirt/libxl/save\"
auto_dump_path = \"/var/lib/libvirt/libxl/dump\"
migration_portmin = 49152
migration_portmax = 49216
"

   test Libvirtd_libxl.lns get conf =
{ "#comment" = "libxl.conf" }
{ "autoballoon" = "1" }
{ "lock_manager" = "lockd" }
{ "keepalive_interval" = "-1" }
{ "keepalive_count" = "5" }
{ "nested_hvm" = "0" }
{ "#empty" }
{ "job_wait_time" = "30" }
{ "save_image_dir" = "/var/lib/libvirt/libxl/save" }
{ "auto_dump_path" = "/var/lib/libvirt/libxl/dump" }
{ "migration_portmin" = "49152" }
{ "migration_portmax" = "49216" }

   (* a setting the driver does not read is not parsed *)
   test Libvirtd_libxl.lns get "no_such_setting = 1\n" = *
