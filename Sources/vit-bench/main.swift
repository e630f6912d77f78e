import ViTCommands

ProcessSetup.preparePassiveOpenMP()
BenchCommand.main()
