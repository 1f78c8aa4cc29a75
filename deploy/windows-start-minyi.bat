@echo off
rem Start the minyi inbox watcher when the clerk logs in.
rem Put a shortcut to this file in the Startup folder (Win+R, shell:startup),
rem or create a Task Scheduler task "At log on" that runs it.
rem Edit the paths below to the office's folders.
cd /d "C:\minyi"
".venv\Scripts\minyi.exe" watch --inbox "D:\社情民意\收件箱" --outbox "D:\社情民意\发件箱" --data "D:\社情民意\数据"
